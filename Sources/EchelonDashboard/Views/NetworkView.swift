import EchelonCore
import EchelonModel

/// Screen 1: the echelons as a layered tree, with use against capacity, prices and an over marker.
enum NetworkView {
    static let sortKeys = ["layer", "node", "storage use", "outbound use", "inbound use", "storage price", "outbound price", "inbound price"]

    /// Node indices in display order after filter and sort.
    static func rows(state: DashboardState) -> [Int] {
        let scenario = state.scenario
        let filter = state.network.filter.lowercased()
        var nodes = Array(scenario.nodes.indices)
        if !filter.isEmpty {
            nodes = nodes.filter { n in
                let node = scenario.nodes[n]
                return node.id.lowercased().contains(filter) || node.kind.rawValue.lowercased() == filter
                    || node.country.lowercased() == filter
            }
        }
        let usage = state.usage
        let order = treeOrder(state)
        let table = state.network
        func key(_ n: Int) -> Double {
            let u = usage?[safe: n] ?? NodeUsage()
            let node = scenario.nodes[n]
            switch table.sortColumn {
            case 0: return Double(order[n])
            case 2: return ratio(u.storageUsed, node.storageCapacity)
            case 3: return ratio(u.outboundUsed, node.outboundCapacity)
            case 4: return ratio(u.inboundUsed, node.inboundCapacity)
            case 5: return u.storagePrice
            case 6: return u.outboundPrice
            case 7: return u.inboundPrice
            default: return 0
            }
        }
        nodes.sort { a, b in
            if table.sortColumn == 1 {
                let (x, y) = (scenario.nodes[a].id, scenario.nodes[b].id)
                return table.ascending ? x < y : x > y
            }
            let (x, y) = (key(a), key(b))
            if x != y { return table.ascending ? x < y : x > y }
            return order[a] < order[b]
        }
        return nodes
    }

    /// Position of each node in the layered tree: by echelon, children after their first upstream node.
    static func treeOrder(_ state: DashboardState) -> [Int] {
        let scenario = state.scenario
        let index = state.index
        var parent = [Int](repeating: -1, count: scenario.nodes.count)
        for n in scenario.nodes.indices {
            for l in index.inboundLanes[n] {
                if case .node(let from) = scenario.lanes[l].source { parent[n] = from; break }
            }
        }
        var visited = [Bool](repeating: false, count: scenario.nodes.count)
        var order = [Int](repeating: 0, count: scenario.nodes.count)
        var next = 0
        func visit(_ n: Int) {
            guard !visited[n] else { return }
            visited[n] = true
            order[n] = next
            next += 1
            let children = scenario.nodes.indices.filter { parent[$0] == n }.sorted { scenario.nodes[$0].id < scenario.nodes[$1].id }
            for c in children { visit(c) }
        }
        let roots = scenario.nodes.indices.filter { parent[$0] == -1 }
            .sorted { (index.echelon[$0], scenario.nodes[$0].id) < (index.echelon[$1], scenario.nodes[$1].id) }
        for r in roots { visit(r) }
        for n in scenario.nodes.indices { visit(n) }
        return order
    }

    static func ratio(_ used: Double, _ limit: Double) -> Double { limit > 0 ? used / limit : (used > 0 ? 1e9 : 0) }

    static func isOver(_ u: NodeUsage, _ node: Node) -> Bool {
        u.storageUsed > node.storageCapacity * 1.000001 || u.outboundUsed > node.outboundCapacity * 1.000001
            || u.inboundUsed > node.inboundCapacity * 1.000001
    }

    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer) {
        let scenario = state.scenario
        let glyphs = state.glyphs
        let usage = state.usage
        // Layer summary: vendors → echelon 1 → echelon 2 …
        var layers: [Int: [NodeKind: Int]] = [:]
        for (n, node) in scenario.nodes.enumerated() { layers[state.index.echelon[n], default: [:]][node.kind, default: 0] += 1 }
        var summary = "Vendors \(scenario.vendors.count)"
        for echelon in layers.keys.sorted() {
            let kinds = NodeKind.allCases.compactMap { k in layers[echelon]?[k].map { "\($0) \(k.rawValue)" } }
            summary += " \(glyphs.arrow) E\(echelon): " + kinds.joined(separator: ", ")
        }
        let overCount = usage.map { u in scenario.nodes.indices.filter { isOver(u[safe: $0] ?? NodeUsage(), scenario.nodes[$0]) }.count } ?? 0
        buffer.put(summary, x: 1, y: Layout.bodyTop, role: .accent, maxWidth: state.width - 24)
        let overText = usage == nil ? "no prices yet" : (overCount == 0 ? "all within capacity" : "\(glyphs.overMarker) \(overCount) over capacity")
        buffer.put(overText, x: state.width - DisplayWidth.of(overText) - 1, y: Layout.bodyTop, role: overCount > 0 ? .bad : .good)

        let rows = rows(state: state)
        let order = state.network.sortColumn == 0 && state.network.ascending
        let area = Layout.table(.network, width: state.width, height: state.height)
        let columns = [
            TableColumn(title: "Node", width: 14, flexible: true, priority: 10, sortKey: order ? 0 : 1),
            TableColumn(title: "Kind", width: 4, priority: 9),
            TableColumn(title: "Ech", width: 3, alignRight: true, priority: 3),
            TableColumn(title: "Storage", width: 14, priority: 8, sortKey: 2),
            TableColumn(title: "Outbound", width: 14, priority: 7, sortKey: 3),
            TableColumn(title: "Inbound", width: 14, priority: 4, sortKey: 4),
            TableColumn(title: "μ stor", width: 8, alignRight: true, priority: 8, sortKey: 5),
            TableColumn(title: "ν out", width: 8, alignRight: true, priority: 6, sortKey: 6),
            TableColumn(title: "ι in", width: 8, alignRight: true, priority: 4, sortKey: 7),
            TableColumn(title: "State", width: 5, priority: 9),
        ]
        var table = state.network
        if table.sortColumn == 0 && !order { table.sortColumn = -1 }
        TableWidget.draw(
            into: &buffer, columns: columns, width: state.width, headerRow: area.header, firstRow: area.first,
            visibleRows: area.count, totalRows: rows.count, table: table, glyphs: glyphs
        ) { row in
            let n = rows[row]
            let node = scenario.nodes[n]
            let echelon = state.index.echelon[n]
            let indent = state.network.sortColumn == 0 && state.network.filter.isEmpty
                ? String(repeating: " ", count: max(0, echelon - 2) * 2) + (echelon > 1 ? glyphs.treeBranch : "") : ""
            guard let u = usage?[safe: n] else {
                return [TableCell(indent + node.id), TableCell(node.kind.rawValue), TableCell("\(echelon)"),
                        TableCell("–", .dim), TableCell("–", .dim), TableCell("–", .dim), TableCell("–", .dim),
                        TableCell("–", .dim), TableCell("–", .dim), TableCell("…", .dim)]
            }
            let over = isOver(u, node)
            return [
                TableCell(indent + node.id), TableCell(node.kind.rawValue), TableCell("\(echelon)"),
                Bar.cell(used: u.storageUsed, limit: node.storageCapacity, width: 14, glyphs: glyphs),
                Bar.cell(used: u.outboundUsed, limit: node.outboundCapacity, width: 14, glyphs: glyphs),
                Bar.cell(used: u.inboundUsed, limit: node.inboundCapacity, width: 14, glyphs: glyphs),
                TableCell(Format.price(u.storagePrice), u.storagePrice > 0 ? .accent : nil),
                TableCell(Format.price(u.outboundPrice), u.outboundPrice > 0 ? .accent : nil),
                TableCell(Format.price(u.inboundPrice), u.inboundPrice > 0 ? .accent : nil),
                TableCell(over ? glyphs.overMarker : glyphs.okMarker, over ? .bad : .good),
            ]
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
