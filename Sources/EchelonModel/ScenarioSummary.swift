// A short, human-readable account of a scenario: what `echelon validate` prints on success.

public struct ScenarioSummary: Sendable, CustomStringConvertible {
    public struct EchelonCapacity: Sendable, Hashable {
        public var echelon: Int
        public var nodeCount: Int
        /// Cubic feet.
        public var storage: Double
        /// Units per day.
        public var outbound: Double
        /// Units per day.
        public var inbound: Double
    }

    public var name: String
    public var nodesByKind: [(kind: NodeKind, count: Int)]
    public var countries: [String]
    public var regionCount: Int
    public var vendorCount: Int
    public var laneCount: Int
    public var optionCount: Int
    public var productCount: Int
    /// Products with more than one vendor.
    public var multiVendorProductCount: Int
    public var categoryCount: Int
    public var speeds: [Speed]
    /// Units per day, all products.
    public var totalDemandPerDay: Double
    /// Cubic feet per day, all products.
    public var totalCubePerDay: Double
    public var capacityByEchelon: [EchelonCapacity]

    public init(_ scenario: Scenario) {
        name = scenario.name
        nodesByKind = NodeKind.allCases.map { kind in (kind, scenario.nodes.filter { $0.kind == kind }.count) }
        var countrySet: [String] = []
        for node in scenario.nodes where !countrySet.contains(node.country) { countrySet.append(node.country) }
        for region in scenario.regions where !countrySet.contains(region.country) { countrySet.append(region.country) }
        countries = countrySet
        regionCount = scenario.regions.count
        vendorCount = scenario.vendors.count
        laneCount = scenario.lanes.count
        optionCount = scenario.options.count
        productCount = scenario.products.count
        multiVendorProductCount = scenario.products.reduce(0) { $0 + ($1.vendors.count > 1 ? 1 : 0) }
        categoryCount = scenario.categories.count
        speeds = scenario.speeds
        var demand = 0.0, cube = 0.0
        for product in scenario.products {
            demand += product.demandMean
            cube += product.demandMean * product.cube
        }
        totalDemandPerDay = demand
        totalCubePerDay = cube
        let index = ScenarioIndex(scenario)
        var byEchelon: [Int: EchelonCapacity] = [:]
        for (n, node) in scenario.nodes.enumerated() {
            let e = index.echelon[n]
            var entry = byEchelon[e] ?? EchelonCapacity(echelon: e, nodeCount: 0, storage: 0, outbound: 0, inbound: 0)
            entry.nodeCount += 1
            entry.storage += node.storageCapacity
            entry.outbound += node.outboundCapacity
            entry.inbound += node.inboundCapacity
            byEchelon[e] = entry
        }
        capacityByEchelon = byEchelon.keys.sorted().compactMap { byEchelon[$0] }
    }

    public var description: String {
        var lines: [String] = []
        lines.append("Scenario \"\(name)\"")
        let kinds = nodesByKind.filter { $0.count > 0 }.map { "\($0.count) \($0.kind.rawValue)" }.joined(separator: ", ")
        let nodeTotal = nodesByKind.reduce(0) { $0 + $1.count }
        lines.append("  nodes      \(nodeTotal) (\(kinds)) in \(countries.joined(separator: ", "))")
        lines.append("  regions    \(regionCount)")
        lines.append("  vendors    \(vendorCount), lanes \(laneCount), fulfilment options \(optionCount)")
        lines.append(
            "  products   \(Self.grouped(Double(productCount))) in \(categoryCount) categories, \(Self.grouped(Double(multiVendorProductCount))) with several vendors")
        let speedText = speeds.map {
            "\($0.id) (\(CSVTable.format($0.promiseHours)) h, target \(CSVTable.format($0.targetFillRate * 100)) %)"
        }.joined(separator: ", ")
        lines.append("  speeds     \(speedText)")
        lines.append("  demand     \(Self.grouped(totalDemandPerDay)) units/day, \(Self.grouped(totalCubePerDay)) cu ft/day")
        lines.append("  capacity by echelon:")
        for entry in capacityByEchelon {
            lines.append(
                "    echelon \(entry.echelon): \(entry.nodeCount) nodes, storage \(Self.grouped(entry.storage)) cu ft, "
                    + "outbound \(Self.grouped(entry.outbound)) units/day, inbound \(Self.grouped(entry.inbound)) units/day")
        }
        return lines.joined(separator: "\n")
    }

    /// A whole number with thousands separators ("1,234,567").
    static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let digits = String(Int64(value.rounded()).magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return value < -0.5 ? "-" + out : out
    }
}
