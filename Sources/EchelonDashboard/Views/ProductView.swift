import EchelonCore
import EchelonModel

/// Screen 3: one product across the network: its base stock per node, its demand streams and who serves them.
enum ProductView {
    static let sortKeys = ["node", "base stock", "E[on hand]", "out/day", "fill rate"]

    struct Row: Hashable {
        var node: Int
        var position: PlanPosition
    }

    static func rows(state: DashboardState) -> [Row] {
        guard let result = state.result, let range = state.planIndex?.byProduct[safe: state.currentProduct] else { return [] }
        let scenario = state.scenario
        var rows = result.plan.positions[range].map { Row(node: Int($0.node), position: $0) }
        let filter = state.product.filter.lowercased()
        if !filter.isEmpty { rows = rows.filter { scenario.nodes[$0.node].id.lowercased().contains(filter) } }
        let ascending = state.product.ascending
        let column = state.product.sortColumn
        func key(_ r: Row) -> Double {
            switch column {
            case 1: return Double(r.position.baseStock)
            case 2: return r.position.expectedOnHand
            case 3: return r.position.outboundPerDay
            default: return r.position.fillRate
            }
        }
        rows.sort { a, b in
            if column == 0 {
                let (x, y) = (scenario.nodes[a.node].id, scenario.nodes[b.node].id)
                return ascending ? x < y : x > y
            }
            let (x, y) = (key(a), key(b))
            return x != y ? (ascending ? x < y : x > y) : a.node < b.node
        }
        return rows
    }

    /// Per speed: the share of the product's demand the model expects to serve at that speed, from
    /// the fill rates of the nodes that can keep the promise (an order is lost to the speed only when
    /// every eligible stocked node is out).
    static func fillBySpeed(state: DashboardState) -> [(speed: Int, demand: Double, fill: Double)] {
        guard let result = state.result, let range = state.planIndex?.byProduct[safe: state.currentProduct] else { return [] }
        let scenario = state.scenario
        let p = state.currentProduct
        var fillAt = [Int: Double]()
        for position in result.plan.positions[range] where position.baseStock > 0 { fillAt[Int(position.node)] = position.fillRate }
        var demand = [Double](repeating: 0, count: scenario.speeds.count)
        var served = [Double](repeating: 0, count: scenario.speeds.count)
        for share in scenario.demandShares(of: p) {
            let d = scenario.products[p].demandMean * share.share
            let s = Int(share.speed)
            var miss = 1.0
            for o in state.index.options(region: Int(share.region), speed: s) { miss *= 1 - (fillAt[scenario.options[o].node] ?? 0) }
            demand[s] += d
            served[s] += d * (1 - miss)
        }
        return scenario.speeds.indices.map { ($0, demand[$0], demand[$0] > 0 ? served[$0] / demand[$0] : 0) }
    }

    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer) {
        let scenario = state.scenario
        guard scenario.products.indices.contains(state.currentProduct) else { return }
        let p = state.currentProduct
        let product = scenario.products[p]
        let glyphs = state.glyphs
        let category = scenario.categories[safe: Int(product.category)] ?? "–"
        var vendorText = "vendor –"
        if let choice = state.result?.plan.vendorChoice[safe: p], let pv = scenario.productVendors[safe: Int(choice)] {
            vendorText = "vendor \(scenario.vendors[pv.vendor].id) @ \(Format.price(pv.unitPrice)), lead \(Format.plain(pv.leadTimeMean))±\(Format.plain(pv.leadTimeStd))d"
        }
        buffer.put("\(product.id)  \(category) · \(product.sizeClass.rawValue) · \(Format.plain(product.cube)) ft³ · demand \(Format.fixed(product.demandMean, 2))/day (VMR \(Format.plain(product.demandVMR))) · \(vendorText)",
                   x: 1, y: Layout.bodyTop, role: .accent, maxWidth: state.width - 2)
        let fills = fillBySpeed(state: state)
        var fillText = "Fill rate by speed:"
        for f in fills where f.demand > 0 {
            let target = scenario.speeds[f.speed].targetFillRate
            let mark = f.fill + 1e-9 >= target ? glyphs.okMarker : "\(glyphs.down)under"
            fillText += "  \(scenario.speeds[f.speed].id) \(Format.percent(f.fill)) (target \(Format.percent(target, digits: 0)) \(mark))"
        }
        buffer.put(state.result == nil ? "Fill rates appear when the first solve finishes." : fillText,
                   x: 1, y: Layout.bodyTop + 1, role: .normal, maxWidth: state.width - 2)

        let area = Layout.table(.product, width: state.width, height: state.height)
        let rows = rows(state: state)
        let columns = [
            TableColumn(title: "Node", width: 14, flexible: true, priority: 10, sortKey: 0),
            TableColumn(title: "Kind", width: 4, priority: 8),
            TableColumn(title: "Base stock", width: 11, alignRight: true, priority: 9, sortKey: 1),
            TableColumn(title: "E[on hand]", width: 11, alignRight: true, priority: 8, sortKey: 2),
            TableColumn(title: "Out/day", width: 9, alignRight: true, priority: 7, sortKey: 3),
            TableColumn(title: "Fill", width: 7, alignRight: true, priority: 7, sortKey: 4),
        ]
        TableWidget.draw(
            into: &buffer, columns: columns, width: state.width, headerRow: area.header, firstRow: area.first,
            visibleRows: area.count, totalRows: rows.count, table: state.product, glyphs: glyphs
        ) { row in
            let r = rows[row]
            return [
                TableCell(scenario.nodes[r.node].id), TableCell(scenario.nodes[r.node].kind.rawValue),
                TableCell(String(r.position.baseStock)), TableCell(Format.fixed(r.position.expectedOnHand, 1)),
                TableCell(Format.fixed(r.position.outboundPerDay, 2)), TableCell(Format.percent(r.position.fillRate)),
            ]
        }

        // Demand streams: region × speed, units per day, and the nodes that can serve them, cheapest first.
        let streamTop = area.first + area.count + 1
        let bottom = state.height - 1
        guard streamTop + 1 < bottom else { return }
        let stocked = Set(rows.filter { $0.position.baseStock > 0 }.map(\.node))
        buffer.fill(x: 0, y: streamTop, width: state.width, height: 1, role: .tableHeader)
        buffer.put("  Region        Speed        Units/day  Served by (cheapest first; * holds stock)", x: 0, y: streamTop, role: .tableHeader)
        let shares = Array(scenario.demandShares(of: p)).sorted { ($0.region, $0.speed) < ($1.region, $1.speed) }
        for (line, share) in shares.prefix(bottom - streamTop - 1).enumerated() {
            let r = Int(share.region), s = Int(share.speed)
            let servers = state.index.options(region: r, speed: s).compactMap { o -> String? in
                let n = scenario.options[o].node
                guard product.sizeClass.eligibleKinds.contains(scenario.nodes[n].kind) else { return nil }
                return scenario.nodes[n].id + (stocked.contains(n) ? "*" : "")
            }
            let text = "  " + Format.pad(scenario.regions[r].id, 13) + " " + Format.pad(scenario.speeds[s].id, 12) + " "
                + Format.pad(Format.fixed(product.demandMean * share.share, 2), 9, right: true) + "  "
                + (servers.isEmpty ? "no eligible node" : servers.joined(separator: " "))
            buffer.put(text, x: 0, y: streamTop + 1 + line, role: servers.isEmpty ? .warning : .normal, maxWidth: state.width)
        }
    }
}
