// A scenario and a plan compiled into flat arrays for the event loop: one "position" per (product,
// node) that holds stock or passes it through, each with its supplier, and per product the demand
// streams with their candidate positions already filtered to stocked nodes and sorted by this
// product's shipping cost.

import EchelonModel

/// Why a plan cannot be simulated.
public struct SimulationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A node that can serve a demand stream, in the order the policy tries them.
struct CandidatePosition: Sendable {
    var position: Int32
    /// Hour of the day (0...24) after which this node no longer takes orders for `speed`.
    var cutoffHour: Double
    /// Shipping cost of one unit of this product to the stream's region.
    var shippingCost: Double
    /// The speed this option delivers; slower than the stream's speed for a downgrade.
    var speed: Int32
}

/// One (region, speed) share of a product's demand.
struct DemandStream: Sendable {
    var speed: Int32
    /// Running sum of shares up to and including this stream (the last is 1).
    var cumulativeShare: Double
    /// Candidates in the order they are tried: the stream's speed, then each slower one.
    var candidates: Range<Int32>
}

/// Who supplies each node, and the option lists in the documented order, shared by every product.
struct SupplyRoutes {
    let scenario: Scenario
    /// Lane from vendor v into node n at `v * nodeCount + n`, or -1.
    var vendorLane: [Int]
    /// Some vendor lane into each node, or -1.
    var anyVendorLane: [Int]
    /// Per size class: the node → node lane that feeds each node without a vendor lane, or -1.
    var upstreamLane: [SizeClass: [Int]]
    /// Options per (region, speed) in fulfilment order (`ScenarioIndex.fulfilmentOrder`, as the core uses).
    let optionsByStream: [[Int]]

    init(scenario: Scenario, index: ScenarioIndex) {
        self.scenario = scenario
        let nodeCount = scenario.nodes.count
        vendorLane = [Int](repeating: -1, count: max(1, scenario.vendors.count * nodeCount))
        anyVendorLane = [Int](repeating: -1, count: nodeCount)
        for (l, lane) in scenario.lanes.enumerated() {
            if case .vendor(let v) = lane.source {
                if vendorLane[v * nodeCount + lane.destination] < 0 { vendorLane[v * nodeCount + lane.destination] = l }
                if anyVendorLane[lane.destination] < 0 { anyVendorLane[lane.destination] = l }
            }
        }
        upstreamLane = [:]
        for sizeClass in SizeClass.allCases {
            var lanes = [Int](repeating: -1, count: nodeCount)
            var supplied = [Bool](repeating: false, count: nodeCount)
            for n in index.topologicalOrder {
                let node = scenario.nodes[n]
                guard sizeClass.eligibleKinds.contains(node.kind),
                    node.storageCapacity > 0 || node.outboundCapacity > 0 || node.inboundCapacity > 0
                else { continue }
                if anyVendorLane[n] >= 0 {
                    supplied[n] = true
                    continue
                }
                var best = -1
                for l in index.inboundLanes[n] {
                    guard case .node(let u) = scenario.lanes[l].source, supplied[u] else { continue }
                    if best < 0 || scenario.lanes[l].transitMean < scenario.lanes[best].transitMean { best = l }
                }
                if best >= 0 {
                    lanes[n] = best
                    supplied[n] = true
                }
            }
            upstreamLane[sizeClass] = lanes
        }
        optionsByStream = ScenarioIndex.fulfilmentOrder(scenario)
    }

    /// The lane that replenishes `node` for `product` bought from `vendor`, or -1.
    func lane(product: Product, vendor: Int, node: Int) -> Int {
        if anyVendorLane[node] >= 0 {
            let own = vendorLane[vendor * scenario.nodes.count + node]
            return own >= 0 ? own : anyVendorLane[node]
        }
        return upstreamLane[product.sizeClass]![node]
    }

    func sortedOptions(region: Int, speed: Int) -> [Int] {
        optionsByStream[region * scenario.speeds.count + speed]
    }
}

public struct SimulationNetwork: Sendable {
    public let scenario: Scenario
    public let plan: Plan

    // Per position.
    let positionProduct: [Int32]
    let positionNode: [Int32]
    let baseStock: [Int32]
    /// Upstream position that replenishes this one, or -1 when a vendor does.
    let supplier: [Int32]
    /// Vendor lead time (days) for vendor-fed positions; 0 for node-fed ones.
    let vendorLeadMean: [Double]
    let vendorLeadStd: [Double]
    /// Transit of the lane into this position (days).
    let transitMean: [Double]
    let transitStd: [Double]
    /// Purchase price per unit when vendor-fed.
    let purchaseCost: [Double]
    /// Lane cost per unit for a vendor-fed position (inbound transport) or a node-fed one (transfer).
    let laneCostPerUnit: [Double]
    /// Holding cost per unit-hour at this node.
    let holdingPerUnitHour: [Double]
    let cube: [Double]

    // Per product.
    let positionRange: [Range<Int32>]
    let streamRange: [Range<Int32>]
    let demandMean: [Double]
    let demandVMR: [Double]

    let streams: [DemandStream]
    let candidates: [CandidatePosition]
    /// Cumulative share of orders by hour, 24 entries ending at 1.
    let cumulativeArrival: [Double]
    /// Plan row index for each position, -1 for pass-through positions the plan omits.
    let planRow: [Int32]

    public var positionCount: Int { positionProduct.count }
    public var productCount: Int { positionRange.count }

    public init(scenario: Scenario, plan: Plan) throws {
        self.scenario = scenario
        self.plan = plan
        let productCount = scenario.products.count
        let nodeCount = scenario.nodes.count
        let index = ScenarioIndex(scenario)
        guard plan.vendorChoice.count == productCount else {
            throw SimulationError("the plan has \(plan.vendorChoice.count) vendor choices for \(productCount) products")
        }

        var positionProduct: [Int32] = []
        var positionNode: [Int32] = []
        var baseStock: [Int32] = []
        var supplier: [Int32] = []
        var vendorLeadMean: [Double] = []
        var vendorLeadStd: [Double] = []
        var transitMean: [Double] = []
        var transitStd: [Double] = []
        var purchaseCost: [Double] = []
        var laneCostPerUnit: [Double] = []
        var holdingPerUnitHour: [Double] = []
        var cubeArray: [Double] = []
        var planRow: [Int32] = []
        var positionRange: [Range<Int32>] = []
        var streamRange: [Range<Int32>] = []
        var streams: [DemandStream] = []
        var candidates: [CandidatePosition] = []

        let supply = SupplyRoutes(scenario: scenario, index: index)
        var rowsByProduct = [Range<Int>](repeating: 0..<0, count: productCount)
        var start = 0
        while start < plan.positions.count {
            let product = Int(plan.positions[start].product)
            guard product >= 0 && product < productCount else {
                throw SimulationError("plan position \(start) names product index \(product), out of range")
            }
            var end = start + 1
            while end < plan.positions.count && Int(plan.positions[end].product) == product { end += 1 }
            guard rowsByProduct[product].isEmpty else {
                throw SimulationError("plan positions of product '\(scenario.products[product].id)' are not grouped together")
            }
            rowsByProduct[product] = start..<end
            start = end
        }

        // Per node scratch: plan row and position of the product being compiled, -1 when none.
        var rowAtNode = [Int](repeating: -1, count: nodeCount)
        var positionAtNode = [Int32](repeating: -1, count: nodeCount)

        for p in 0..<productCount {
            let product = scenario.products[p]
            let choice = Int(plan.vendorChoice[p])
            guard product.vendors.contains(Int32(choice)) else {
                throw SimulationError("product '\(product.id)': vendor choice \(choice) is not one of its vendors")
            }
            let productVendor = scenario.productVendors[choice]
            let firstPosition = Int32(positionProduct.count)
            for row in rowsByProduct[p] {
                let node = Int(plan.positions[row].node)
                guard node >= 0 && node < nodeCount else {
                    throw SimulationError("product '\(product.id)': plan names node index \(node), out of range")
                }
                if plan.positions[row].baseStock > 0 { rowAtNode[node] = row }
            }

            // Every stocked node needs a supplier, chosen as the planning core does: a node with a vendor
            // lane is fed by the product's vendor (over that vendor's lane, else any vendor lane into it);
            // any other node by its upstream node with the shortest transit. An upstream node the plan
            // does not stock still passes units through (base stock 0: every request waits for the vendor).
            var needed = [Bool](repeating: false, count: nodeCount)
            var route = [Int](repeating: -1, count: nodeCount)
            for node in 0..<nodeCount where rowAtNode[node] >= 0 { needed[node] = true }
            for node in index.topologicalOrder.reversed() where needed[node] {
                let lane = supply.lane(product: product, vendor: productVendor.vendor, node: node)
                guard lane >= 0 else {
                    throw SimulationError(
                        "product '\(product.id)' is stocked at or passes through node '\(scenario.nodes[node].id)', "
                            + "but no lane brings it there from a vendor or from a node that could hold it")
                }
                route[node] = lane
                if case .node(let from) = scenario.lanes[lane].source { needed[from] = true }
            }

            // Positions in topological order (suppliers first).
            for node in index.topologicalOrder where needed[node] {
                let position = Int32(positionProduct.count)
                positionAtNode[node] = position
                let lane = scenario.lanes[route[node]]
                positionProduct.append(Int32(p))
                positionNode.append(Int32(node))
                let row = rowAtNode[node]
                baseStock.append(row >= 0 ? plan.positions[row].baseStock : 0)
                planRow.append(Int32(row))
                transitMean.append(lane.transitMean)
                transitStd.append(lane.transitStd)
                switch lane.source {
                case .vendor:
                    supplier.append(-1)
                    vendorLeadMean.append(productVendor.leadTimeMean)
                    vendorLeadStd.append(productVendor.leadTimeStd)
                    purchaseCost.append(productVendor.unitPrice)
                    laneCostPerUnit.append(lane.costPerCubicFoot * product.cube)
                case .node(let from):
                    supplier.append(positionAtNode[from])
                    vendorLeadMean.append(0)
                    vendorLeadStd.append(0)
                    purchaseCost.append(0)
                    laneCostPerUnit.append(
                        (lane.costPerCubicFoot + scenario.costs.transferHandlingPerCubicFoot) * product.cube)
                }
                holdingPerUnitHour.append(
                    product.unitCost * product.holdingRate * scenario.nodes[node].holdingMultiplier
                        / scenario.costs.daysPerYear / 24)
                cubeArray.append(product.cube)
            }
            positionRange.append(firstPosition..<Int32(positionProduct.count))

            // Demand streams: the options of the stream's speed, cheapest first for a one-cubic-foot
            // product (the scenario's documented order, as the planning core uses), then those of every
            // slower speed (downgrades); only nodes the plan stocks can ever serve.
            let firstStream = Int32(streams.count)
            var cumulative = 0.0
            let shares = scenario.demandShares(of: p)
            let total = shares.reduce(0.0) { $0 + $1.share }
            for share in shares where share.share > 0 {
                cumulative += share.share / total
                let region = Int(share.region)
                let speed = Int(share.speed)
                let from = Int32(candidates.count)
                for t in speed..<scenario.speeds.count {
                    for o in supply.sortedOptions(region: region, speed: t) where rowAtNode[scenario.options[o].node] >= 0 {
                        let option = scenario.options[o]
                        let cutoffs = scenario.nodes[option.node].cutoffHour
                        candidates.append(
                            CandidatePosition(
                                position: positionAtNode[option.node], cutoffHour: t < cutoffs.count ? cutoffs[t] : 24,
                                shippingCost: option.unitCost(cube: product.cube), speed: Int32(t)))
                    }
                }
                streams.append(
                    DemandStream(speed: Int32(speed), cumulativeShare: cumulative, candidates: from..<Int32(candidates.count)))
            }
            if streams.count > Int(firstStream) { streams[streams.count - 1].cumulativeShare = 1 }
            streamRange.append(firstStream..<Int32(streams.count))

            for node in 0..<nodeCount {
                rowAtNode[node] = -1
                positionAtNode[node] = -1
            }
        }

        var cumulativeArrival: [Double] = []
        var sum = 0.0
        let curveTotal = scenario.arrivalCurve.reduce(0, +)
        for share in scenario.arrivalCurve {
            sum += share / (curveTotal > 0 ? curveTotal : 1)
            cumulativeArrival.append(sum)
        }
        if cumulativeArrival.isEmpty { cumulativeArrival = (1...24).map { Double($0) / 24 } }
        cumulativeArrival[cumulativeArrival.count - 1] = 1

        self.positionProduct = positionProduct
        self.positionNode = positionNode
        self.baseStock = baseStock
        self.supplier = supplier
        self.vendorLeadMean = vendorLeadMean
        self.vendorLeadStd = vendorLeadStd
        self.transitMean = transitMean
        self.transitStd = transitStd
        self.purchaseCost = purchaseCost
        self.laneCostPerUnit = laneCostPerUnit
        self.holdingPerUnitHour = holdingPerUnitHour
        self.cube = cubeArray
        self.planRow = planRow
        self.positionRange = positionRange
        self.streamRange = streamRange
        self.demandMean = scenario.products.map(\.demandMean)
        self.demandVMR = scenario.products.map(\.demandVMR)
        self.streams = streams
        self.candidates = candidates
        self.cumulativeArrival = cumulativeArrival
    }

    /// The position of `product` at `node`, if the simulation has one.
    public func position(product: Int, node: Int) -> Int? {
        for i in positionRange[product] where Int(positionNode[Int(i)]) == node { return Int(i) }
        return nil
    }
}
