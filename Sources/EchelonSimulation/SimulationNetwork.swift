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
    /// Hour of the day (0...24) after which this node no longer takes orders for the stream's speed.
    var cutoffHour: Double
    /// Shipping cost of one unit of this product to the stream's region.
    var shippingCost: Double
}

/// One (region, speed) share of a product's demand.
struct DemandStream: Sendable {
    var speed: Int32
    /// Running sum of shares up to and including this stream (the last is 1).
    var cumulativeShare: Double
    /// Candidates at the stream's own speed, cheapest first.
    var primary: Range<Int32>
    /// Candidates at the next slower speed (the downgrade), cheapest first; empty for the slowest.
    var downgrade: Range<Int32>
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

            // Every stocked node needs a supplier; pass-through nodes are added as the routes need them.
            // Topological order makes upstream positions exist before the nodes they feed.
            var needed = [Bool](repeating: false, count: nodeCount)
            var route = [Int](repeating: -2, count: nodeCount)  // lane index, or -2 undecided
            for node in 0..<nodeCount where rowAtNode[node] >= 0 { needed[node] = true }
            // Walk downstream-to-upstream so a stocked node can pull in a pass-through parent.
            for node in index.topologicalOrder.reversed() where needed[node] {
                let lanes = index.inboundLanes[node]
                var best = -1
                // 1. An upstream node that stocks the product (multi-echelon), cheapest lane first.
                for l in lanes {
                    if case .node(let from) = scenario.lanes[l].source, rowAtNode[from] >= 0 {
                        if best < 0 || scenario.lanes[l].costPerCubicFoot < scenario.lanes[best].costPerCubicFoot { best = l }
                    }
                }
                // 2. The chosen vendor directly.
                if best < 0 {
                    for l in lanes {
                        if case .vendor(let v) = scenario.lanes[l].source, v == productVendor.vendor {
                            if best < 0 || scenario.lanes[l].costPerCubicFoot < scenario.lanes[best].costPerCubicFoot {
                                best = l
                            }
                        }
                    }
                }
                // 3. An upstream node the product may pass through (base stock 0, cross-dock).
                if best < 0 {
                    for l in lanes {
                        if case .node(let from) = scenario.lanes[l].source,
                            product.sizeClass.eligibleKinds.contains(scenario.nodes[from].kind)
                        {
                            if best < 0 || scenario.lanes[l].costPerCubicFoot < scenario.lanes[best].costPerCubicFoot {
                                best = l
                            }
                        }
                    }
                }
                guard best >= 0 else {
                    throw SimulationError(
                        "product '\(product.id)' is stocked at or passes through node '\(scenario.nodes[node].id)', "
                            + "but no lane brings it there from vendor '\(scenario.vendors[productVendor.vendor].id)' "
                            + "or from a node that could hold it")
                }
                route[node] = best
                if case .node(let from) = scenario.lanes[best].source { needed[from] = true }
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

            // Demand streams and their candidates, cheapest for this product's cube first.
            let firstStream = Int32(streams.count)
            var cumulative = 0.0
            let shares = scenario.demandShares(of: p)
            let total = shares.reduce(0.0) { $0 + $1.share }
            func candidateList(region: Int, speed: Int) -> Range<Int32> {
                let from = Int32(candidates.count)
                guard speed < scenario.speeds.count else { return from..<from }
                var list: [CandidatePosition] = []
                for o in index.options(region: region, speed: speed) {
                    let option = scenario.options[o]
                    guard rowAtNode[option.node] >= 0 else { continue }
                    list.append(
                        CandidatePosition(
                            position: positionAtNode[option.node],
                            cutoffHour: scenario.nodes[option.node].cutoffHour[speed],
                            shippingCost: option.unitCost(cube: product.cube)))
                }
                // Stable: equal costs keep the scenario's order.
                let sorted = list.enumerated().sorted {
                    ($0.element.shippingCost, $0.offset) < ($1.element.shippingCost, $1.offset)
                }.map(\.element)
                candidates.append(contentsOf: sorted)
                return from..<Int32(candidates.count)
            }
            for share in shares where share.share > 0 {
                cumulative += share.share / total
                let region = Int(share.region)
                let speed = Int(share.speed)
                let primary = candidateList(region: region, speed: speed)
                let downgrade = candidateList(region: region, speed: speed + 1)
                streams.append(
                    DemandStream(speed: Int32(speed), cumulativeShare: cumulative, primary: primary, downgrade: downgrade))
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
