// The scenario compiled for the planning core: per product family, the nodes that can hold the product,
// who supplies each of them, and the fulfilment chains of every demand stream, in flat arrays.
//
// Products that share a size class and a demand profile share one template, so a million products cost
// a million template indices, not a million stream lists.

import EchelonModel

/// The order in which a stream of (region, speed, arrival hour) tries nodes: the eligible options of its
/// speed, cheapest first, then those of each slower speed (a downgrade), each node once.
///
/// A final class of constants, not a struct: the hot path reads a product's template on every
/// evaluation, and copied out as a value its 22 fields were 21 retains and releases each time (retain
/// and release were 8.5 % of the samples of a 100 k cold solve's first 7 s); with `var` fields a class's
/// reads are checked for exclusive access at run time (swift_beginAccess and its access set, 5 %).
/// As a class of `let`s both are gone (0.6 %), and the bundled sample's solve takes 10 % less CPU
/// (4.20 s against 4.69 s, three interleaved runs). `TemplateBuilder` holds the arrays while they are built.
final class ProductTemplate: Sendable {
    /// Global node indices, in topological order (suppliers before the nodes they supply).
    let nodes: [Int32]
    /// Local index of the supplying node, or −1 when a vendor supplies it.
    let parent: [Int32]
    /// Lane index of the node → node supply lane (−1 for vendor-fed nodes).
    let supplyLane: [Int32]
    /// Children (nodes supplied by each node), flattened: `childList[childOffsets[i]..<childOffsets[i+1]]`.
    let childOffsets: [Int32]
    let childList: [Int32]
    /// Chains: positions `chainOffsets[c]..<chainOffsets[c+1]`, share of the product's daily demand, speed.
    let chainOffsets: [Int32]
    let chainWeight: [Double]
    let chainSpeed: [Int32]
    /// Positions: local node, shipping cost per unit and per cubic foot, whether it keeps the chain's promise.
    let positionNode: [Int32]
    let positionCostPerUnit: [Double]
    let positionCostPerCubicFoot: [Double]
    let positionOnTime: [Bool]
    /// Share of the product's demand per speed.
    let speedShare: [Double]
    /// One node per chain and no node supplying another: the product's cost separates by node and the
    /// subproblem is solved exactly by a scan per node.
    let separable: Bool
    /// The chains as a prefix tree for the load walk: chains sharing their first nodes share those
    /// entries (about a third of the positions on the sample). Entry e is local node `trieNode[e]`
    /// reached after entry `trieParent[e]` (−1: first in its chains), carrying the summed weight of
    /// the chains through it; parents come before their children.
    let trieNode: [Int32]
    let trieParent: [Int32]
    let trieWeight: [Double]
    /// Per entry, over the chains through it: Σ weight × shipping cost per unit and per cubic foot there,
    /// Σ weight of the chains of each speed whose promise it keeps (`entry * speedCount + speed`), and
    /// Σ weight of the chains ending there; and the weight of the chains with no node at all. The cost
    /// terms are linear in the chains' weights, so they too are walked over the tree.
    let trieShipPerUnit: [Double]
    let trieShipPerCubicFoot: [Double]
    let trieOnTime: [Double]
    let trieEndWeight: [Double]
    let emptyChainWeight: Double

    var nodeCount: Int { nodes.count }
    var chainCount: Int { chainWeight.count }
    var trieCount: Int { trieNode.count }

    init(_ built: TemplateBuilder) {
        nodes = built.nodes
        parent = built.parent
        supplyLane = built.supplyLane
        childOffsets = built.childOffsets
        childList = built.childList
        chainOffsets = built.chainOffsets
        chainWeight = built.chainWeight
        chainSpeed = built.chainSpeed
        positionNode = built.positionNode
        positionCostPerUnit = built.positionCostPerUnit
        positionCostPerCubicFoot = built.positionCostPerCubicFoot
        positionOnTime = built.positionOnTime
        speedShare = built.speedShare
        separable = built.separable
        trieNode = built.trieNode
        trieParent = built.trieParent
        trieWeight = built.trieWeight
        trieShipPerUnit = built.trieShipPerUnit
        trieShipPerCubicFoot = built.trieShipPerCubicFoot
        trieOnTime = built.trieOnTime
        trieEndWeight = built.trieEndWeight
        emptyChainWeight = built.emptyChainWeight
    }
}

/// A `ProductTemplate`'s arrays while `PlanningModel` builds them (documented there).
struct TemplateBuilder {
    var nodes: [Int32] = []
    var parent: [Int32] = []
    var supplyLane: [Int32] = []
    var childOffsets: [Int32] = [0]
    var childList: [Int32] = []
    var chainOffsets: [Int32] = [0]
    var chainWeight: [Double] = []
    var chainSpeed: [Int32] = []
    var positionNode: [Int32] = []
    var positionCostPerUnit: [Double] = []
    var positionCostPerCubicFoot: [Double] = []
    var positionOnTime: [Bool] = []
    var speedShare: [Double] = []
    var separable = true
    var trieNode: [Int32] = []
    var trieParent: [Int32] = []
    var trieWeight: [Double] = []
    var trieShipPerUnit: [Double] = []
    var trieShipPerCubicFoot: [Double] = []
    var trieOnTime: [Double] = []
    var trieEndWeight: [Double] = []
    var emptyChainWeight = 0.0

    var nodeCount: Int { nodes.count }
    var chainCount: Int { chainWeight.count }
    var trieCount: Int { trieNode.count }

    /// Builds the prefix tree from the chains.
    mutating func buildLoadTrie(speedCount: Int) {
        trieNode = []
        trieParent = []
        trieWeight = []
        trieShipPerUnit = []
        trieShipPerCubicFoot = []
        trieOnTime = []
        trieEndWeight = []
        emptyChainWeight = 0
        var entryOf: [[Int32]: Int] = [:]
        for c in 0..<chainCount {
            var prefix: [Int32] = []
            var parent = -1
            let weight = chainWeight[c]
            for pos in Int(chainOffsets[c])..<Int(chainOffsets[c + 1]) {
                prefix.append(positionNode[pos])
                let entry: Int
                if let existing = entryOf[prefix] {
                    entry = existing
                } else {
                    entry = trieNode.count
                    entryOf[prefix] = entry
                    trieNode.append(positionNode[pos])
                    trieParent.append(Int32(parent))
                    trieWeight.append(0)
                    trieShipPerUnit.append(0)
                    trieShipPerCubicFoot.append(0)
                    trieOnTime.append(contentsOf: repeatElement(0, count: speedCount))
                    trieEndWeight.append(0)
                }
                trieWeight[entry] += weight
                trieShipPerUnit[entry] += weight * positionCostPerUnit[pos]
                trieShipPerCubicFoot[entry] += weight * positionCostPerCubicFoot[pos]
                if positionOnTime[pos] { trieOnTime[entry * speedCount + Int(chainSpeed[c])] += weight }
                parent = entry
            }
            if parent < 0 { emptyChainWeight += weight } else { trieEndWeight[parent] += weight }
        }
    }
}

/// A scenario prepared for planning: immutable, shared by every worker.
public final class PlanningModel: Sendable {
    public let scenario: Scenario
    public let nodeCount: Int
    public let speedCount: Int
    let templates: [ProductTemplate]
    /// Template of each product.
    let templateOfProduct: [Int32]
    /// Lane from vendor v to node n at `v * nodeCount + n`, or −1.
    let vendorLane: [Int32]
    /// Some vendor lane into each node (used when the chosen vendor has no lane of its own there), or −1.
    let anyVendorLane: [Int32]
    /// Total demand per speed, units per day.
    public let speedDemand: [Double]
    /// Per speed, the highest fill rate any plan can approach: the share of its demand whose stream has an
    /// open, supplied node before its cut-off that keeps the promise. Every other order of that speed misses
    /// whatever is stocked, and a node in stock with probability 1 takes infinite stock, so a target at or
    /// above this share cannot be met by any plan (closing FC-EWR, which supplies SSD-NYC, leaves 72 % of
    /// the bundled sample's same-day demand reachable against a target of 85 %).
    public let reachableFillRate: [Double]
    /// Largest template, to size scratch buffers.
    let maxTemplateNodes: Int
    let maxTemplatePositions: Int
    let maxTemplateTrie: Int
    /// `scenario.limitsFreeDigest`, hashed once (a solve compares it several times).
    let limitsFreeDigest: Int

    /// Whether speed s's target is at or above its reachable fill rate, so that no plan meets it.
    public func isUnreachable(speed s: Int) -> Bool {
        speedDemand[s] > 0 && Self.isUnreachable(target: scenario.speeds[s].targetFillRate, reachable: reachableFillRate[s])
    }

    /// Whether a fill-rate target is at or above what any plan can approach (`reachableFillRate`).
    public static func isUnreachable(target: Double, reachable: Double) -> Bool { target >= reachable - 1e-12 }

    /// Each node's storage, outbound and inbound capacity (3 × nodes, in that order), infinite where none
    /// binds: a closed node's (it is not planned), or one given as infinite. The shared constraints the master
    /// prices before the fill-rate targets.
    var capacityLimits: [Double] {
        var limits: [Double] = []
        limits.reserveCapacity(3 * nodeCount)
        for kind in 0..<3 {
            for node in scenario.nodes {
                let value = kind == 0 ? node.storageCapacity : kind == 1 ? node.outboundCapacity : node.inboundCapacity
                limits.append(Self.isOpen(node) && value.isFinite && value >= 0 ? value : .infinity)
            }
        }
        return limits
    }

    /// Whether a node takes part in planning: a node whose three capacities are all zero is closed.
    public static func isOpen(_ node: Node) -> Bool {
        node.storageCapacity > 0 || node.outboundCapacity > 0 || node.inboundCapacity > 0
    }

    /// Whether orders arriving in hour `hour` (the hour starting then) are before `cutoff`.
    /// Hours are judged at their midpoint, so an integer cut-off of 14 admits hours 0–13.
    public static func isBeforeCutoff(hour: Int, cutoff: Double) -> Bool { Double(hour) + 0.5 < cutoff }

    public init(scenario: Scenario) {
        self.scenario = scenario
        limitsFreeDigest = scenario.limitsFreeDigest
        let nodeCount = scenario.nodes.count
        let speedCount = scenario.speeds.count
        self.nodeCount = nodeCount
        self.speedCount = speedCount
        let index = ScenarioIndex(scenario)

        var vendorLane = [Int32](repeating: -1, count: max(1, scenario.vendors.count * nodeCount))
        var anyVendorLane = [Int32](repeating: -1, count: nodeCount)
        for (l, lane) in scenario.lanes.enumerated() {
            if case .vendor(let v) = lane.source {
                if vendorLane[v * nodeCount + lane.destination] < 0 { vendorLane[v * nodeCount + lane.destination] = Int32(l) }
                if anyVendorLane[lane.destination] < 0 { anyVendorLane[lane.destination] = Int32(l) }
            }
        }
        self.vendorLane = vendorLane
        self.anyVendorLane = anyVendorLane

        let optionsByStream = ScenarioIndex.fulfilmentOrder(scenario)
        var curve = scenario.arrivalCurve
        if curve.isEmpty || curve.reduce(0, +) <= 0 { curve = [Double](repeating: 1.0 / 24, count: 24) }
        let curveTotal = curve.reduce(0, +)
        curve = curve.map { $0 / curveTotal }

        // Supply of each node per size class: a vendor lane, else the upstream node with the shortest transit.
        var supplyBySize: [SizeClass: (parent: [Int], lane: [Int], supplied: [Bool])] = [:]
        for sizeClass in SizeClass.allCases {
            var parent = [Int](repeating: -1, count: nodeCount)
            var lane = [Int](repeating: -1, count: nodeCount)
            var supplied = [Bool](repeating: false, count: nodeCount)
            for n in index.topologicalOrder {
                let node = scenario.nodes[n]
                guard sizeClass.eligibleKinds.contains(node.kind), Self.isOpen(node) else { continue }
                if anyVendorLane[n] >= 0 {
                    supplied[n] = true
                    continue
                }
                var best = -1
                for l in index.inboundLanes[n] {
                    guard case .node(let u) = scenario.lanes[l].source, supplied[u] else { continue }
                    if best < 0 || scenario.lanes[l].transitMean < scenario.lanes[best].transitMean { best = l }
                }
                if best >= 0, case .node(let u) = scenario.lanes[best].source {
                    parent[n] = u
                    lane[n] = best
                    supplied[n] = true
                }
            }
            supplyBySize[sizeClass] = (parent, lane, supplied)
        }
        var topoRank = [Int](repeating: 0, count: nodeCount)
        for (rank, n) in index.topologicalOrder.enumerated() { topoRank[n] = rank }

        func buildTemplate(sizeClass: SizeClass, shares: ArraySlice<DemandShare>) -> ProductTemplate {
            let supply = supplyBySize[sizeClass]!
            // Chains keyed by (speed, node sequence, on-time flags), merged over hours and regions: the
            // reach of every position depends only on that key, so merging with weight-averaged shipping
            // costs is exact.
            var chainKeys: [[Int]: Int] = [:]
            var chains: [(speed: Int, nodes: [Int], onTime: [Bool], costUnit: [Double], costCube: [Double], weight: Double)] = []
            var speedShare = [Double](repeating: 0, count: speedCount)
            for share in shares where share.share > 0 {
                let r = Int(share.region), s = Int(share.speed)
                guard r >= 0, r < scenario.regions.count, s >= 0, s < speedCount else { continue }
                speedShare[s] += share.share
                for hour in 0..<curve.count where curve[hour] > 0 {
                    var seen = Set<Int>()
                    var sequence: [Int] = []
                    for t in s..<speedCount {
                        for o in optionsByStream[r * speedCount + t] {
                            let n = scenario.options[o].node
                            guard supply.supplied[n], !seen.contains(n) else { continue }
                            let cutoffs = scenario.nodes[n].cutoffHour
                            let cutoff = t < cutoffs.count ? cutoffs[t] : 24
                            guard Self.isBeforeCutoff(hour: hour % 24, cutoff: cutoff) else { continue }
                            seen.insert(n)
                            sequence.append(o)
                        }
                    }
                    let nodesInOrder = sequence.map { scenario.options[$0].node }
                    let onTime = sequence.map { scenario.options[$0].speed == s }
                    let key = [s] + nodesInOrder + onTime.map { $0 ? 1 : 0 }
                    let weight = share.share * curve[hour]
                    let c: Int
                    if let existing = chainKeys[key] {
                        c = existing
                    } else {
                        c = chains.count
                        chainKeys[key] = c
                        chains.append((s, nodesInOrder, onTime, [Double](repeating: 0, count: sequence.count),
                                       [Double](repeating: 0, count: sequence.count), 0))
                    }
                    chains[c].weight += weight
                    for (k, o) in sequence.enumerated() {
                        chains[c].costUnit[k] += weight * scenario.options[o].costPerUnit
                        chains[c].costCube[k] += weight * scenario.options[o].costPerCubicFoot
                    }
                }
            }
            // Relevant nodes: every node in a chain, and its suppliers.
            var relevant = Set<Int>()
            for chain in chains {
                for node in chain.nodes {
                    var n = node
                    while n >= 0, relevant.insert(n).inserted { n = supply.parent[n] }
                }
            }
            var template = TemplateBuilder()
            let ordered = relevant.sorted { topoRank[$0] < topoRank[$1] }
            var local = [Int: Int]()
            for (i, n) in ordered.enumerated() { local[n] = i }
            template.nodes = ordered.map { Int32($0) }
            template.parent = ordered.map { supply.parent[$0] >= 0 ? Int32(local[supply.parent[$0]]!) : -1 }
            template.supplyLane = ordered.map { Int32(supply.lane[$0]) }
            var children = [[Int32]](repeating: [], count: ordered.count)
            for (i, p) in template.parent.enumerated() where p >= 0 { children[Int(p)].append(Int32(i)) }
            for list in children {
                template.childList.append(contentsOf: list)
                template.childOffsets.append(Int32(template.childList.count))
            }
            for chain in chains {
                for k in chain.nodes.indices {
                    template.positionNode.append(Int32(local[chain.nodes[k]]!))
                    template.positionCostPerUnit.append(chain.costUnit[k] / chain.weight)
                    template.positionCostPerCubicFoot.append(chain.costCube[k] / chain.weight)
                    template.positionOnTime.append(chain.onTime[k])
                }
                template.chainOffsets.append(Int32(template.positionNode.count))
                template.chainWeight.append(chain.weight)
                template.chainSpeed.append(Int32(chain.speed))
                if chain.nodes.count > 1 { template.separable = false }
            }
            if !template.childList.isEmpty { template.separable = false }
            template.speedShare = speedShare
            template.buildLoadTrie(speedCount: speedCount)
            return ProductTemplate(template)
        }

        var templates: [ProductTemplate] = []
        var templateKey: [[Int]: Int] = [:]
        var templateOfProduct = [Int32](repeating: 0, count: scenario.products.count)
        var speedDemand = [Double](repeating: 0, count: speedCount)
        let sizeClasses = SizeClass.allCases
        for p in scenario.products.indices {
            let product = scenario.products[p]
            let sizeKey = sizeClasses.firstIndex(of: product.sizeClass)!
            // Products with their own rows get their own template; the rest share their profile's.
            let key = product.overrides.isEmpty ? [sizeKey, Int(product.profile)] : [sizeKey, -1, p]
            let t: Int
            if let existing = templateKey[key] {
                t = existing
            } else {
                t = templates.count
                templateKey[key] = t
                templates.append(buildTemplate(sizeClass: product.sizeClass, shares: scenario.demandShares(of: p)))
            }
            templateOfProduct[p] = Int32(t)
            for s in 0..<speedCount { speedDemand[s] += product.demandMean * templates[t].speedShare[s] }
        }
        self.templates = templates
        self.templateOfProduct = templateOfProduct
        self.speedDemand = speedDemand
        // Each template's share of its demand on chains with a node that keeps the promise, by speed.
        let onTimeShare = templates.map { template in
            var shares = [Double](repeating: 0, count: speedCount)
            for c in 0..<template.chainCount
            where (Int(template.chainOffsets[c])..<Int(template.chainOffsets[c + 1])).contains(where: { template.positionOnTime[$0] }) {
                shares[Int(template.chainSpeed[c])] += template.chainWeight[c]
            }
            return shares
        }
        var reachable = [Double](repeating: 0, count: speedCount)
        for (p, product) in scenario.products.enumerated() {
            for s in 0..<speedCount { reachable[s] += product.demandMean * onTimeShare[Int(templateOfProduct[p])][s] }
        }
        reachableFillRate = (0..<speedCount).map { speedDemand[$0] > 0 ? min(1, reachable[$0] / speedDemand[$0]) : 1 }
        self.maxTemplateNodes = templates.map(\.nodeCount).max() ?? 0
        self.maxTemplatePositions = templates.map(\.positionNode.count).max() ?? 0
        self.maxTemplateTrie = templates.map(\.trieCount).max() ?? 0
    }

    /// Size of the compiled model: templates, and per product on average the nodes, chains and chain
    /// positions its evaluation walks.
    public var statistics: (templates: Int, nodesPerProduct: Double, chainsPerProduct: Double, positionsPerProduct: Double) {
        var nodes = 0.0, chains = 0.0, positions = 0.0
        for t in templateOfProduct {
            let template = templates[Int(t)]
            nodes += Double(template.nodeCount)
            chains += Double(template.chainCount)
            positions += Double(template.positionNode.count)
        }
        let count = Double(max(1, templateOfProduct.count))
        return (templates.count, nodes / count, chains / count, positions / count)
    }

    /// The nodes that can hold a product (global indices, suppliers first).
    public func candidateNodes(of product: Int) -> [Int] {
        templates[Int(templateOfProduct[product])].nodes.map { Int($0) }
    }

    /// Whether the product's subproblem separates by node (and so is solved exactly).
    public func isSeparable(product: Int) -> Bool { templates[Int(templateOfProduct[product])].separable }

    /// Whether product p comes before product q in order of mean demand (ties by index).
    func precedesInDemand(_ p: Int, _ q: Int) -> Bool {
        let products = scenario.products
        return (products[p].demandMean, p) < (products[q].demandMean, q)
    }

    /// Each template's products in order of mean demand: the relaxation's runs and the sampled start's
    /// strata are cut from these.
    func productsByTemplateInDemandOrder() -> [[Int]] {
        var byTemplate = [[Int]](repeating: [], count: templates.count)
        for p in scenario.products.indices { byTemplate[Int(templateOfProduct[p])].append(p) }
        for t in byTemplate.indices { byTemplate[t].sort(by: precedesInDemand) }
        return byTemplate
    }
}

extension Scenario {
    /// A hash of everything the product model depends on, which leaves out what only sets limits: the
    /// nodes' capacities (though not whether a node is open, which changes the network) and the speeds'
    /// target fill rates. Two scenarios with the same digest have the same subproblems, so a relaxation
    /// solved for one is the other's at the same prices (`CarriedRelaxation`). (A hash, not a copy of
    /// the scenario: a warm start must not keep a million products' old data alive. Hashing 100 k
    /// products takes milliseconds.)
    public var limitsFreeDigest: Int {
        var hasher = Hasher()
        hasher.combine(unmetDemand)
        hasher.combine(costs)
        for speed in speeds {
            var free = speed
            free.targetFillRate = 0
            hasher.combine(free)
        }
        for node in nodes {
            var free = node
            let open = PlanningModel.isOpen(node)
            free.storageCapacity = open ? 1 : 0
            free.outboundCapacity = open ? 1 : 0
            free.inboundCapacity = open ? 1 : 0
            hasher.combine(free)
        }
        hasher.combine(vendors)
        hasher.combine(lanes)
        hasher.combine(regions)
        hasher.combine(options)
        hasher.combine(profiles)
        hasher.combine(arrivalCurve)
        hasher.combine(categories)
        hasher.combine(products)
        hasher.combine(productVendors)
        hasher.combine(demandOverrides)
        return hasher.finalize()
    }
}
