import EchelonCore
import EchelonModel

/// Screen 5: constraints over capacity or under target, worst first, and who uses the scarce capacity.
enum ViolationsView {
    static let sortKeys = ["over %", "amount", "kind", "name"]
    /// Constraints this close to their limit are listed as tight (after the violations).
    static let tightThreshold = 0.97

    static func rows(state: DashboardState) -> [Violation] {
        let scenario = state.scenario
        var rows: [Violation] = []
        if let usage = state.usage {
            for (n, node) in scenario.nodes.enumerated() {
                guard let u = usage[safe: n] else { continue }
                let checks: [(ConstraintKind, Double, Double)] = [
                    (.storage, u.storageUsed, node.storageCapacity), (.outbound, u.outboundUsed, node.outboundCapacity),
                    (.inbound, u.inboundUsed, node.inboundCapacity),
                ]
                for (kind, used, limit) in checks where used > 0 && used >= limit * tightThreshold {
                    rows.append(Violation(kind: kind, index: n, used: used, limit: limit))
                }
            }
        }
        if let speeds = state.speedService {
            for (s, speed) in scenario.speeds.enumerated() {
                guard let service = speeds[safe: s] else { continue }
                if service.plannedFillRate < speed.targetFillRate - 1e-9 {
                    let unreachable = PlanningModel.isUnreachable(target: speed.targetFillRate, reachable: service.reachableFillRate)
                    rows.append(
                        Violation(
                            kind: .service, index: s, used: service.plannedFillRate, limit: speed.targetFillRate,
                            reachable: unreachable ? service.reachableFillRate : nil, leftOutForCapacities: service.targetLeftOut))
                }
            }
        }
        let filter = state.violations.filter.lowercased()
        if !filter.isEmpty { rows = rows.filter { name($0, scenario).lowercased().contains(filter) || $0.kind.rawValue.contains(filter) } }
        let table = state.violations
        func severity(_ v: Violation) -> Double {
            v.kind == .service ? v.relative : (v.limit > 0 ? v.used / v.limit - 1 : .infinity)
        }
        func less(_ a: Violation, _ b: Violation) -> Bool {
            switch table.sortColumn {
            case 1: return (a.amount, severity(a)) < (b.amount, severity(b))
            case 2: return (a.kind.rawValue, -severity(a)) < (b.kind.rawValue, -severity(b))
            case 3: return name(a, scenario) < name(b, scenario)
            default: return (severity(a), a.amount) < (severity(b), b.amount)
            }
        }
        rows.sort { table.ascending ? less($0, $1) : less($1, $0) }
        return rows
    }

    static func name(_ v: Violation, _ scenario: Scenario) -> String {
        v.kind == .service ? (scenario.speeds[safe: v.index]?.id ?? "speed \(v.index)") : (scenario.nodes[safe: v.index]?.id ?? "node \(v.index)")
    }

    static func isViolated(_ v: Violation) -> Bool { v.kind == .service ? v.used < v.limit - 1e-9 : v.used > v.limit * 1.000001 }

    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer) {
        let scenario = state.scenario
        let glyphs = state.glyphs
        let rows = rows(state: state)
        let area = Layout.table(.violations, width: state.width, height: state.height)
        let usage = state.usage
        let columns = [
            TableColumn(title: "State", width: 6, priority: 10),
            TableColumn(title: "Kind", width: 8, priority: 9, sortKey: 2),
            TableColumn(title: "Node / speed", width: 14, flexible: true, priority: 10, sortKey: 3),
            TableColumn(title: "Used", width: 10, alignRight: true, priority: 8),
            TableColumn(title: "Limit", width: 10, alignRight: true, priority: 8),
            TableColumn(title: "Over by", width: 10, alignRight: true, priority: 9, sortKey: 1),
            TableColumn(title: "Over %", width: 8, alignRight: true, priority: 9, sortKey: 0),
            TableColumn(title: "Price", width: 9, alignRight: true, priority: 7),
        ]
        if usage == nil && state.speedService == nil {
            buffer.put("  Violations appear with the first iteration of the solve.", x: 0, y: area.first, role: .dim)
        }
        TableWidget.draw(
            into: &buffer, columns: columns, width: state.width, headerRow: area.header, firstRow: area.first,
            visibleRows: area.count, totalRows: rows.count, table: state.violations, glyphs: glyphs
        ) { row in
            let v = rows[row]
            let violated = isViolated(v)
            let price: Double
            switch v.kind {
            case .storage: price = usage?[safe: v.index]?.storagePrice ?? 0
            case .outbound: price = usage?[safe: v.index]?.outboundPrice ?? 0
            case .inbound: price = usage?[safe: v.index]?.inboundPrice ?? 0
            case .service: price = state.speedService?[safe: v.index]?.price ?? 0
            }
            let isService = v.kind == .service
            let over = isService ? v.limit - v.used : v.used - v.limit
            let relative = isService ? v.relative : (v.limit > 0 ? v.used / v.limit - 1 : .infinity)
            return [
                TableCell(violated ? (isService ? "\(glyphs.down)UNDER" : glyphs.overMarker) : "tight", violated ? .bad : .warning),
                TableCell(v.kind.rawValue), TableCell(name(v, scenario)),
                TableCell(isService ? Format.percent(v.used, digits: 2) : Format.compact(v.used)),
                TableCell(isService ? Format.percent(v.limit, digits: 2) : Format.compact(v.limit)),
                TableCell(isService ? Format.percent(max(0, over), digits: 2) : Format.compact(over)),
                TableCell(Format.percent(relative)), TableCell(Format.price(price), price > 0 ? .accent : nil),
            ]
        }
        if rows.isEmpty && (usage != nil || state.speedService != nil) {
            buffer.put("  No violations: every node is within capacity and every speed meets its target.", x: 0, y: area.first, role: .good)
        }

        // Who uses the scarce capacity of the selected row.
        let panelTop = area.first + area.count + 1
        guard rows.indices.contains(state.violations.selected), panelTop < state.height - 2 else { return }
        let v = rows[state.violations.selected]
        buffer.fill(x: 0, y: panelTop, width: state.width, height: 1, role: .tableHeader)
        if v.kind == .service {
            let speed = scenario.speeds[v.index]
            buffer.put("  \(speed.id): planned fill \(Format.percent(v.used, digits: 2)) against target \(Format.percent(v.limit, digits: 2)); miss penalty \(Format.plain(speed.missPenalty))/unit",
                       x: 0, y: panelTop, role: .tableHeader)
            // Why the target is missed, where the solver knows: out of reach, or left out for the capacities.
            let why: (String, String)?
            if let reachable = v.reachable {
                why = ("  No plan can meet this target: at most \(Format.percent(reachable, digits: 2)) of its orders reach an open node that keeps",
                       "  the promise before its cut-off. Planned by the miss penalty alone; a target below that (what-if, speed) holds one.")
            } else if v.leftOutForCapacities {
                why = ("  No plan met every target within the capacities: this one was left out so that the plan keeps every capacity,",
                       "  its misses priced by the miss penalty alone. A lower target (what-if, speed) or more capacity holds one.")
            } else {
                why = nil
            }
            if let (first, second) = why, panelTop + 2 < state.height - 1 {
                buffer.put(first, x: 0, y: panelTop + 1, role: .bad, maxWidth: state.width)
                buffer.put(second, x: 0, y: panelTop + 2, maxWidth: state.width)
            }
            return
        }
        buffer.put("  Top products using \(name(v, scenario))'s \(v.kind.rawValue)", x: 0, y: panelTop, role: .tableHeader)
        guard let result = state.result, let positions = state.planIndex?.byNode[safe: v.index] else {
            buffer.put("  (after the first solve finishes)", x: 0, y: panelTop + 1, role: .dim)
            return
        }
        func use(_ i: Int) -> Double {
            let position = result.plan.positions[i]
            switch v.kind {
            case .storage: return scenario.products[Int(position.product)].cube * position.expectedOnHand
            case .outbound: return position.outboundPerDay
            case .inbound: return position.inboundPerDay
            case .service: return 0
            }
        }
        var top: [(Int, Double)] = []
        let slots = state.height - 2 - panelTop
        for i in positions {
            let u = use(i)
            if top.count < slots || u > top.last!.1 {
                top.append((i, u))
                top.sort { $0.1 > $1.1 }
                if top.count > slots { top.removeLast() }
            }
        }
        let total = positions.reduce(0) { $0 + use($1) }
        let unit = v.kind == .storage ? "ft³" : "units/day"
        for (line, (i, u)) in top.enumerated() {
            let p = Int(result.plan.positions[i].product)
            let share = total > 0 ? u / total : 0
            let text = "  " + Format.pad(scenario.products[p].id, 16) + Format.pad(Format.compact(u), 10, right: true) + " \(unit)  "
                + Format.pad(Format.percent(share), 7, right: true) + "  " + Bar.text(fraction: share, width: 20, glyphs: glyphs)
            buffer.put(text, x: 0, y: panelTop + 1 + line, maxWidth: state.width)
        }
    }
}
