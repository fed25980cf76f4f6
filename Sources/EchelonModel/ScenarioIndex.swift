// Lookups derived once from a validated scenario, so that hot paths never search.

public struct ScenarioIndex: Sendable {
    /// Longest distance (in lanes) from a vendor, per node: vendor-fed DCs are echelon 1.
    public let echelon: [Int]
    /// Lane indices into each node, per node.
    public let inboundLanes: [[Int]]
    /// Lane indices out of each node (node → node), per node.
    public let outboundLanes: [[Int]]
    /// Nodes in topological order: every node after all of its upstream nodes.
    public let topologicalOrder: [Int]
    /// Range of `Scenario.options` for (region, speed), at `region * speedCount + speed`.
    public let optionRanges: [Range<Int>]
    /// Nodes that may hold a product of each size class.
    public let eligibleNodes: [SizeClass: [Int]]
    public let speedCount: Int

    /// Builds the index. The scenario must be validated: lanes acyclic, options sorted.
    public init(_ scenario: Scenario) {
        let nodeCount = scenario.nodes.count
        var inbound = [[Int]](repeating: [], count: nodeCount)
        var outbound = [[Int]](repeating: [], count: nodeCount)
        for (l, lane) in scenario.lanes.enumerated() {
            inbound[lane.destination].append(l)
            if case .node(let from) = lane.source { outbound[from].append(l) }
        }
        // Kahn's algorithm on node → node lanes; echelon = longest path from a vendor.
        var indegree = [Int](repeating: 0, count: nodeCount)
        for lane in scenario.lanes { if case .node = lane.source { indegree[lane.destination] += 1 } }
        var echelon = [Int](repeating: 1, count: nodeCount)
        var queue = (0..<nodeCount).filter { indegree[$0] == 0 }
        var order: [Int] = []
        order.reserveCapacity(nodeCount)
        var head = 0
        while head < queue.count {
            let n = queue[head]
            head += 1
            order.append(n)
            for l in outbound[n] {
                let d = scenario.lanes[l].destination
                echelon[d] = max(echelon[d], echelon[n] + 1)
                indegree[d] -= 1
                if indegree[d] == 0 { queue.append(d) }
            }
        }
        self.echelon = echelon
        self.inboundLanes = inbound
        self.outboundLanes = outbound
        self.topologicalOrder = order

        let speedCount = scenario.speeds.count
        self.speedCount = speedCount
        var ranges = [Range<Int>](repeating: 0..<0, count: scenario.regions.count * speedCount)
        var start = 0
        while start < scenario.options.count {
            let key = scenario.options[start].region * speedCount + scenario.options[start].speed
            var end = start + 1
            while end < scenario.options.count,
                scenario.options[end].region * speedCount + scenario.options[end].speed == key
            {
                end += 1
            }
            ranges[key] = start..<end
            start = end
        }
        self.optionRanges = ranges

        var eligible: [SizeClass: [Int]] = [:]
        for sizeClass in SizeClass.allCases {
            eligible[sizeClass] = scenario.nodes.indices.filter { sizeClass.eligibleKinds.contains(scenario.nodes[$0].kind) }
        }
        self.eligibleNodes = eligible
    }

    /// The options that serve (region, speed), cheapest first.
    @inlinable public func options(region: Int, speed: Int) -> Range<Int> {
        optionRanges[region * speedCount + speed]
    }

    /// Option indices per (region, speed) at `region * speedCount + speed`, cheapest first for a
    /// one-cubic-foot product, ties by option index: the order in which dynamic fulfilment tries nodes.
    /// The planning core and the simulation both use it, so they always agree; it does not rely on
    /// `Scenario.options` being sorted (scenarios built in code or changed by what-ifs may not be).
    public static func fulfilmentOrder(_ scenario: Scenario) -> [[Int]] {
        let speedCount = scenario.speeds.count
        var order = [[Int]](repeating: [], count: scenario.regions.count * speedCount)
        for (o, option) in scenario.options.enumerated() {
            order[option.region * speedCount + option.speed].append(o)
        }
        for k in order.indices {
            order[k].sort {
                let a = scenario.options[$0].unitCost(cube: 1)
                let b = scenario.options[$1].unitCost(cube: 1)
                return a != b ? a < b : $0 < $1
            }
        }
        return order
    }
}
