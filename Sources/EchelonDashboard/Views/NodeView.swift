import EchelonCore
import EchelonModel

/// Screen 2: one node's capacities, prices over the iterations, lanes, and its inventory positions.
enum NodeView {
    static let sortKeys = ["product", "base stock", "E[on hand]", "out/day", "fill rate", "vendor"]

    /// Position indices of the current node, filtered and sorted.
    /// - Complexity: O(k log k) for the node's k positions; the caller caches the result.
    static func rows(state: DashboardState) -> [Int] {
        guard let result = state.result, let index = state.planIndex, index.byNode.indices.contains(state.currentNode) else { return [] }
        let scenario = state.scenario
        let search = state.search
        let positions = result.plan.positions
        var rows = index.byNode[state.currentNode]
        // Vendor of each product as chosen by the plan, as an index into `scenario.vendors` (−1: none).
        func vendor(_ p: Int) -> Int {
            let choice = Int(result.plan.vendorChoice[safe: p] ?? -1)
            return scenario.productVendors.indices.contains(choice) ? scenario.productVendors[choice].vendor : -1
        }
        if !state.node.filter.isEmpty {
            let needle = ProductSearch.needle(state.node.filter)
            rows = rows.filter { i in
                let p = Int(positions[i].product)
                if search.productMatches(p, needle) { return true }
                let v = vendor(p)
                return v >= 0 && search.vendorMatches(v, needle)
            }
        }
        // One numeric key per row, then a sort on plain numbers (ties broken by product id order).
        let keys: [Double] = rows.map { i in
            let position = positions[i]
            let p = Int(position.product)
            switch state.node.sortColumn {
            case 0: return Double(search.rank[p])
            case 1: return Double(position.baseStock)
            case 2: return position.expectedOnHand
            case 3: return position.outboundPerDay
            case 4: return position.fillRate
            default:
                let v = vendor(p)
                return v >= 0 ? Double(search.vendorRank[v]) : -1
            }
        }
        let tieBreak: [Int32] = rows.map { search.rank[Int(positions[$0].product)] }
        let ascending = state.node.ascending
        let order = rows.indices.sorted { a, b in
            if keys[a] != keys[b] { return ascending ? keys[a] < keys[b] : keys[a] > keys[b] }
            return tieBreak[a] < tieBreak[b]
        }
        rows = order.map { rows[$0] }
        return rows
    }

    /// Units per day on each lane into and out of a node, where the plan pins them down: a vendor
    /// lane carries the inbound of the products bought from that vendor; a node lane carries the
    /// receiving node's inbound when that node has no other upstream node. Keyed by lane index.
    static func laneFlows(_ state: DashboardState, node n: Int) -> [Int: Double] {
        let scenario = state.scenario
        var flows: [Int: Double] = [:]
        let inbound = state.index.inboundLanes[n]
        if let result = state.result, let positions = state.planIndex?.byNode[safe: n],
            inbound.contains(where: { if case .vendor = scenario.lanes[$0].source { return true } else { return false } })
        {
            var byVendor: [Int: Double] = [:]
            for i in positions {
                let position = result.plan.positions[i]
                let choice = Int(result.plan.vendorChoice[safe: Int(position.product)] ?? -1)
                guard let vendor = scenario.productVendors[safe: choice]?.vendor else { continue }
                byVendor[vendor, default: 0] += position.inboundPerDay
            }
            for l in inbound { if case .vendor(let v) = scenario.lanes[l].source { flows[l] = byVendor[v] ?? 0 } }
        }
        guard let usage = state.usage else { return flows }
        func singleNodeSource(_ d: Int) -> Int? {
            let lanes = state.index.inboundLanes[d].filter { if case .node = scenario.lanes[$0].source { return true } else { return false } }
            return lanes.count == 1 ? lanes[0] : nil
        }
        if let l = singleNodeSource(n) {
            let fromVendors = inbound.compactMap { flows[$0] }.reduce(0, +)
            flows[l] = max(0, (usage[safe: n]?.inboundUsed ?? 0) - fromVendors)
        }
        for l in state.index.outboundLanes[n] {
            let d = scenario.lanes[l].destination
            if singleNodeSource(d) == l, !state.index.inboundLanes[d].contains(where: { if case .vendor = scenario.lanes[$0].source { return true } else { return false } }) {
                flows[l] = usage[safe: d]?.inboundUsed ?? 0
            }
        }
        return flows
    }

    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer) {
        let scenario = state.scenario
        guard scenario.nodes.indices.contains(state.currentNode) else { return }
        let n = state.currentNode
        let node = scenario.nodes[n]
        let glyphs = state.glyphs
        let u = state.usage?[safe: n]
        var y = Layout.bodyTop
        let heading = "\(node.id)  \(node.kind.rawValue) · echelon \(state.index.echelon[n]) · \(node.country) · holding ×\(Format.plain(node.holdingMultiplier))"
        buffer.put(heading, x: 1, y: y, role: .accent)
        if let u, NetworkView.isOver(u, node) {
            buffer.put(glyphs.overMarker + " over capacity", x: state.width - 20, y: y, role: .bad)
        }
        y += 1
        let gaugeWidth = 20
        let lines: [(String, Double, Double, String, Double, String)] = [
            ("Storage ", u?.storageUsed ?? 0, node.storageCapacity, "ft³", u?.storagePrice ?? 0, "μ"),
            ("Outbound", u?.outboundUsed ?? 0, node.outboundCapacity, "u/d", u?.outboundPrice ?? 0, "ν"),
            ("Inbound ", u?.inboundUsed ?? 0, node.inboundCapacity, "u/d", u?.inboundPrice ?? 0, "ι"),
        ]
        let history = state.solve?.history ?? []
        for (i, (label, used, limit, unit, price, symbol)) in lines.enumerated() {
            buffer.put(label, x: 1, y: y, role: .tableHeader)
            if u != nil {
                let cell = Bar.cell(used: used, limit: limit, width: gaugeWidth, glyphs: glyphs)
                buffer.put(cell.text, x: 10, y: y, role: cell.role ?? .barFill)
            } else {
                buffer.put("not solved yet", x: 10, y: y, role: .dim)
            }
            buffer.put("\(Format.compact(used)) / \(Format.compact(limit)) \(unit)", x: 32, y: y, maxWidth: 24)
            buffer.put("\(symbol) \(Format.price(price))", x: 57, y: y, role: price > 0 ? .accent : .normal, maxWidth: 12)
            // How the price moved over the iterations.
            let series: [Double] = history.compactMap { snapshot in
                guard let nu = snapshot.nodes[safe: n] else { return nil }
                return [nu.storagePrice, nu.outboundPrice, nu.inboundPrice][i]
            }
            if state.width >= 90, !series.isEmpty {
                let w = state.width - 72
                buffer.put(Sparkline.text(series, width: w, glyphs: glyphs), x: 71, y: y, role: .chartBound)
            }
            y += 1
        }
        if state.width >= 90 {
            buffer.put("price over iterations", x: 71, y: Layout.bodyTop, role: .dim)
        }
        // Where flows come from and go to, with units/day where the plan says.
        let flows = laneFlows(state, node: n)
        var sources: [String] = []
        for l in state.index.inboundLanes[n] {
            let lane = scenario.lanes[l]
            let volume = flows[l].map { " " + Format.compact($0) + " u/d" } ?? ""
            switch lane.source {
            case .vendor(let v): sources.append("\(scenario.vendors[v].id) (vendor, \(Format.plain(lane.transitMean))d)\(volume)")
            case .node(let m): sources.append("\(scenario.nodes[m].id) (\(Format.plain(lane.transitMean))d)\(volume)")
            }
        }
        let feeds = state.index.outboundLanes[n].map { l in
            scenario.nodes[scenario.lanes[l].destination].id + (flows[l].map { " " + Format.compact($0) + " u/d" } ?? "")
        }
        var served: [Int: Set<Int>] = [:]
        for option in scenario.options where option.node == n { served[option.region, default: []].insert(option.speed) }
        let regions = served.keys.sorted().map { r in
            scenario.regions[r].id + "(" + served[r]!.sorted().map { scenario.speeds[$0].id }.joined(separator: ",") + ")"
        }
        buffer.put("From ", x: 1, y: y, role: .tableHeader)
        buffer.put(sources.isEmpty ? "–" : sources.joined(separator: ", "), x: 10, y: y, maxWidth: state.width - 11)
        y += 1
        buffer.put("To   ", x: 1, y: y, role: .tableHeader)
        let downstream = feeds.isEmpty ? "" : "replenishes " + feeds.joined(separator: ", ") + "; "
        let customers = u.map { "ships " + Format.compact($0.outboundUsed) + " u/d to " } ?? "serves "
        buffer.put(downstream + (regions.isEmpty ? "serves no region directly" : customers + regions.joined(separator: " ")),
                   x: 10, y: y, maxWidth: state.width - 11)
        y += 1
        let holding = state.planIndex?.byNode[safe: n]?.count ?? 0
        buffer.put("Positions", x: 1, y: y, role: .tableHeader)
        buffer.put("\(holding) products held" + (state.node.filter.isEmpty ? "" : " · filter '\(state.node.filter)': \(state.rowCount(.node))"),
                   x: 11, y: y, maxWidth: state.width - 12)

        let area = Layout.table(.node, width: state.width, height: state.height)
        let columns = [
            TableColumn(title: "Product", width: 14, flexible: true, priority: 10, sortKey: 0),
            TableColumn(title: "Base stock", width: 11, alignRight: true, priority: 9, sortKey: 1),
            TableColumn(title: "E[on hand]", width: 11, alignRight: true, priority: 8, sortKey: 2),
            TableColumn(title: "Out/day", width: 9, alignRight: true, priority: 7, sortKey: 3),
            TableColumn(title: "Fill", width: 7, alignRight: true, priority: 7, sortKey: 4),
            TableColumn(title: "Vendor", width: 12, priority: 6, sortKey: 5),
        ]
        guard let result = state.result else {
            buffer.put("  Positions appear when the first solve finishes.", x: 0, y: area.first, role: .dim)
            return
        }
        let rows = state.nodeRowsAreCurrent ? state.nodeRows : NodeView.rows(state: state)
        TableWidget.draw(
            into: &buffer, columns: columns, width: state.width, headerRow: area.header, firstRow: area.first,
            visibleRows: area.count, totalRows: rows.count, table: state.node, glyphs: glyphs
        ) { row in
            let position = result.plan.positions[rows[row]]
            let p = Int(position.product)
            let choice = Int(result.plan.vendorChoice[safe: p] ?? -1)
            let vendor = scenario.productVendors.indices.contains(choice) ? scenario.vendors[scenario.productVendors[choice].vendor].id : "–"
            return [
                TableCell(scenario.products[p].id), TableCell(String(position.baseStock)),
                TableCell(Format.fixed(position.expectedOnHand, 1)), TableCell(Format.fixed(position.outboundPerDay, 2)),
                TableCell(Format.percent(position.fillRate), position.fillRate < 0.8 ? .warning : nil), TableCell(vendor),
            ]
        }
    }
}
