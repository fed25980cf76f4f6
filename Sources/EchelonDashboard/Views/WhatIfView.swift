import EchelonCore
import EchelonModel

/// Screen 6: build changes, re-solve warm, and read the diff of the plan.
enum WhatIfView {
    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer) {
        let scenario = state.scenario
        let glyphs = state.glyphs
        let form = state.whatIf
        var y = Layout.bodyTop
        buffer.put("New change", x: 1, y: y, role: .tableHeader)
        y += 1
        for (i, field) in form.fields.enumerated() {
            let focused = i == form.focus
            let label: String
            let value: String
            var choice = true
            switch field {
            case .kind: label = "Kind"; value = form.kind.title
            case .node: label = "Node"; value = scenario.nodes[safe: form.node].map { "\($0.id) (\($0.kind.rawValue))" } ?? "–"
            case .scopeKind: label = "Scope"; value = form.scopeKind.title
            case .scopeTarget:
                label = "Which"
                switch form.scopeKind {
                case .all: value = "–"
                case .region: value = scenario.regions[safe: form.scopeTarget]?.id ?? "–"
                case .category: value = scenario.categories[safe: form.scopeTarget] ?? "–"
                case .product: value = scenario.products[safe: form.scopeTarget]?.id ?? "–"
                }
            case .vendor: label = "Vendor"; value = scenario.vendors[safe: form.vendor]?.id ?? "–"
            case .speed: label = "Speed"; value = scenario.speeds[safe: form.speed]?.id ?? "–"
            case .number(let k):
                label = form.numberLabels[k]
                value = form.numbers[safe: k] ?? ""
                choice = false
            }
            let role: StyleRole = focused ? .selection : .normal
            buffer.put(focused ? String(glyphs.pointer) : " ", x: 1, y: y, role: role)
            buffer.put(Format.pad(label, 22), x: 3, y: y, role: focused ? .selection : .tableHeader)
            let shown = choice ? (glyphs.braille ? "◂ \(value) ▸" : "< \(value) >") : "[\(value)\(focused ? "_" : "")]"
            buffer.put(shown, x: 26, y: y, role: focused ? .input : .normal, maxWidth: 30)
            y += 1
        }
        buffer.put("↑↓ field  ←→ choice  digits edit  Enter add  r re-solve  u undo", x: 1, y: y + 1, role: .dim, maxWidth: 56)

        // Pending and applied changes.
        let listX = 58
        if state.width >= 100 {
            var ly = Layout.bodyTop
            buffer.put("Pending (press r)", x: listX, y: ly, role: .tableHeader)
            ly += 1
            if state.pendingChanges.isEmpty { buffer.put("none", x: listX + 1, y: ly, role: .dim); ly += 1 }
            for change in state.pendingChanges.suffix(3) {
                buffer.put("+ " + describe(change, in: scenario), x: listX, y: ly, maxWidth: state.width - listX - 1)
                ly += 1
            }
            buffer.put("Applied (u undoes the last)", x: listX, y: ly, role: .tableHeader)
            ly += 1
            if state.appliedChanges.isEmpty { buffer.put("none", x: listX + 1, y: ly, role: .dim) }
            for batch in state.appliedChanges.suffix(2) {
                buffer.put("= " + batch.map { describe($0, in: scenario) }.joined(separator: "; "), x: listX, y: ly, maxWidth: state.width - listX - 1)
                ly += 1
            }
        } else {
            let text = "pending \(state.pendingChanges.count) · applied \(state.appliedChanges.count)"
                + (state.pendingChanges.last.map { ": " + describe($0, in: scenario) } ?? "")
            buffer.put(text, x: 1, y: y + 2, role: .accent, maxWidth: state.width - 2)
        }

        let diffTop = max(y + 3, Layout.bodyTop + 9)
        drawDiff(state, into: &buffer, top: diffTop)
    }

    static func drawDiff(_ state: DashboardState, into buffer: inout ScreenBuffer, top: Int) {
        let glyphs = state.glyphs
        let bottom = state.height - 1
        guard top < bottom - 2 else { return }
        buffer.fill(x: 0, y: top, width: state.width, height: 1, role: .tableHeader)
        guard let before = state.diffBase else {
            buffer.put("  Diff: add a change and press r; the plan before and after appears here.", x: 0, y: top, role: .tableHeader)
            return
        }
        let fresh = state.solve.map { $0.generation != state.diffBaseGeneration && $0.result != nil } ?? false
        guard fresh, let after = state.result, let diff = state.diff, diff.generation == state.solve?.generation else {
            let progress = state.solve?.latest.map { " iteration \($0.iteration), gap \(Format.percent($0.gap, digits: 2))" } ?? ""
            buffer.put("  Diff: re-solving warm" + String(glyphs.ellipsis) + progress + " (Shift-Tab twice: Convergence)", x: 0, y: top, role: .tableHeader)
            return
        }
        buffer.put("  Diff: solve #\(state.diffBaseGeneration ?? 0) \(glyphs.arrow) #\(state.solve?.generation ?? 0)", x: 0, y: top, role: .tableHeader)
        // Cost terms.
        var y = top + 1
        let terms: [(String, Double, Double)] = [
            ("purchase", before.costs.purchase, after.costs.purchase), ("inbound", before.costs.inboundTransport, after.costs.inboundTransport),
            ("holding", before.costs.holding, after.costs.holding), ("outbound", before.costs.outboundShipping, after.costs.outboundShipping),
            ("penalties", before.costs.missPenalty, after.costs.missPenalty), ("transfers", before.costs.transfer, after.costs.transfer),
            ("total", before.costs.total, after.costs.total),
        ]
        buffer.put(Format.pad("Cost/day", 10) + Format.pad("before", 9, right: true) + Format.pad("after", 9, right: true) + Format.pad("Δ", 9, right: true),
                   x: 1, y: y, role: .tableHeader)
        y += 1
        for (name, b, a) in terms where y < bottom {
            let delta = a - b
            let sign = delta > 0 ? "+" : ""
            buffer.put(Format.pad(name, 10) + Format.pad(Format.compact(b), 9, right: true) + Format.pad(Format.compact(a), 9, right: true),
                       x: 1, y: y, role: name == "total" ? .accent : .normal)
            buffer.put(Format.pad(sign + Format.compact(delta), 9, right: true), x: 29, y: y, role: delta > 0 ? .warning : (delta < 0 ? .good : .dim))
            y += 1
        }

        // Units moved and prices by node: the changed node first, then the largest moves.
        let x = 40
        guard state.width - x > 36 else { return }
        let scenario = state.scenario
        let n = scenario.nodes.count
        let unitsBefore = diff.unitsBefore.count == n ? diff.unitsBefore : [Double](repeating: 0, count: n)
        let unitsAfter = diff.unitsAfter.count == n ? diff.unitsAfter : [Double](repeating: 0, count: n)
        let focus = state.appliedChanges.last?.compactMap { change -> Int? in
            switch change {
            case .setCapacity(let node, _, _, _), .closeNode(let node): return node
            default: return nil
            }
        } ?? []
        let order = scenario.nodes.indices.sorted { a, b in
            let fa = focus.contains(a), fb = focus.contains(b)
            if fa != fb { return fa }
            let da = abs(unitsAfter[a] - unitsBefore[a]), db = abs(unitsAfter[b] - unitsBefore[b])
            return da != db ? da > db : a < b
        }
        var ry = top + 1
        // Narrow screens drop the on-hand before/after and keep its change, so the prices always fit.
        let narrow = state.width - x < 62
        let header = narrow ? Format.pad("Node", 11) + Format.pad("Δ on hand", 10, right: true) + "  μ storage"
            : Format.pad("Node", 12) + Format.pad("on hand before→after", 22) + "μ storage before→after"
        buffer.put(header, x: x, y: ry, role: .tableHeader, maxWidth: state.width - x - 1)
        ry += 1
        for node in order where ry < bottom {
            let pb = before.nodes[safe: node]?.storagePrice ?? 0, pa = after.nodes[safe: node]?.storagePrice ?? 0
            let moved = unitsAfter[node] - unitsBefore[node]
            let units = Format.compact(unitsBefore[node]) + glyphs.arrow + Format.compact(unitsAfter[node]) + " (" + (moved >= 0 ? "+" : "") + Format.compact(moved) + ")"
            let priceMark = pa > pb ? String(glyphs.up) : (pa < pb ? String(glyphs.down) : "=")
            let prices = Format.price(pb) + glyphs.arrow + Format.price(pa) + " " + priceMark
            let text = narrow
                ? Format.pad(scenario.nodes[node].id, 11, ellipsis: glyphs.ellipsis) + Format.pad((moved >= 0 ? "+" : "") + Format.compact(moved), 10, right: true) + "  " + prices
                : Format.pad(scenario.nodes[node].id, 12) + Format.pad(units, 22) + prices
            buffer.put(text, x: x, y: ry, role: focus.contains(node) ? .accent : .normal, maxWidth: state.width - x - 1)
            ry += 1
        }
    }
}
