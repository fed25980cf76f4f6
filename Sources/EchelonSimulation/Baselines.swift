// The plans an optimised plan is judged against (DESIGN §7):
// - legacy: every building sized on its own for the demand it serves first (the streams for which it is
//   the cheapest option), at a fixed cycle service level, blind to the rest of the network and to
//   capacity; a DC also holds stock for the replenishment of the buildings it feeds;
// - national: one pooled stock per DC, sized for all the demand it can serve at any speed.

import EchelonCore
import EchelonModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum BaselinePolicy: String, Sendable, CaseIterable {
    case legacy
    case national
}

public enum Baselines {
    /// Builds the baseline plan. `cycleService` is the chance a replenishment cycle ends with stock
    /// (P(lead-time demand < S)). The plan's expected columns are this baseline's own single-node view
    /// (each node alone with its own lead time); `BaselineCommand` replaces them by the network
    /// model's when the planning core can evaluate plans.
    public static func plan(_ scenario: Scenario, policy: BaselinePolicy, cycleService: Double = 0.95) -> (Plan, [PlannedService]) {
        let index = ScenarioIndex(scenario)
        let supply = SupplyRoutes(scenario: scenario, index: index)
        let nodeCount = scenario.nodes.count
        var vendorChoice: [Int32] = []
        var positions: [PlanPosition] = []
        var speedDemand = [Double](repeating: 0, count: scenario.speeds.count)
        var speedServed = [Double](repeating: 0, count: scenario.speeds.count)

        for p in scenario.products.indices {
            let product = scenario.products[p]
            let vendors = scenario.vendorOptions(of: p)
            let choice = vendors.indices.min { vendors[$0].unitPrice < vendors[$1].unitPrice }!
            vendorChoice.append(Int32(choice))
            let productVendor = scenario.productVendors[choice]

            // Each stream goes to the one node the baseline assigns it to.
            var local = [Double](repeating: 0, count: nodeCount)
            var streamsAt = [[(speed: Int, rate: Double)]](repeating: [], count: nodeCount)
            let shares = scenario.demandShares(of: p)
            let total = shares.reduce(0.0) { $0 + $1.share }
            for share in shares where share.share > 0 && total > 0 {
                let rate = product.demandMean * share.share / total
                let speed = Int(share.speed)
                speedDemand[speed] += rate
                let slowest = policy == .legacy ? speed : scenario.speeds.count - 1
                var chosen = -1
                search: for t in speed...slowest {
                    for o in supply.sortedOptions(region: Int(share.region), speed: t) {
                        let node = scenario.options[o].node
                        guard supply.lane(product: product, vendor: productVendor.vendor, node: node) >= 0,
                            product.sizeClass.eligibleKinds.contains(scenario.nodes[node].kind)
                        else { continue }
                        if policy == .national && scenario.nodes[node].kind != .dc { continue }
                        chosen = node
                        break search
                    }
                }
                guard chosen >= 0 else { continue }
                local[chosen] += rate
                streamsAt[chosen].append((speed, rate))
            }

            // Flow through each node: its own customers plus the replenishment of the nodes it feeds.
            var flow = local
            var parentLane = [Int](repeating: -1, count: nodeCount)
            for node in index.topologicalOrder.reversed() where flow[node] > 0 {
                let lane = supply.lane(product: product, vendor: productVendor.vendor, node: node)
                parentLane[node] = lane
                if case .node(let from) = scenario.lanes[lane].source { flow[from] += flow[node] }
            }
            for node in 0..<nodeCount where flow[node] > 0 {
                let lane = scenario.lanes[parentLane[node]]
                var leadMean = lane.transitMean
                var leadVariance = lane.transitStd * lane.transitStd
                if case .vendor = lane.source {
                    leadMean += productVendor.leadTimeMean
                    leadVariance += productVendor.leadTimeStd * productVendor.leadTimeStd
                }
                let demand = LeadTimeDemand(
                    ratePerDay: flow[node], varianceToMean: max(1, product.demandVMR), leadMean: leadMean,
                    leadVariance: leadVariance)
                let stock = demand.smallestStock(inStockProbability: cycleService)
                let fill = demand.cdf(stock - 1)
                for stream in streamsAt[node] { speedServed[stream.speed] += stream.rate * fill }
                positions.append(
                    PlanPosition(
                        product: Int32(p), node: Int32(node), baseStock: Int32(stock),
                        expectedOnHand: demand.expectedOnHand(baseStock: stock), outboundPerDay: local[node] * fill,
                        inboundPerDay: flow[node], fillRate: fill))
            }
        }
        let service = scenario.speeds.indices.map { s in
            PlannedService(
                speed: s, targetFillRate: scenario.speeds[s].targetFillRate,
                plannedFillRate: speedDemand[s] > 0 ? speedServed[s] / speedDemand[s] : 1, price: 0)
        }
        return (Plan(vendorChoice: vendorChoice, positions: positions), service)
    }
}

/// Demand over a random lead time: Poisson when its variance equals its mean, else negative binomial
/// with the same two moments (mean μE[L], variance E[L]·VMR·μ + μ²Var[L]).
public struct LeadTimeDemand: Sendable {
    public let mean: Double
    public let variance: Double

    public init(ratePerDay: Double, varianceToMean: Double, leadMean: Double, leadVariance: Double) {
        mean = ratePerDay * leadMean
        variance = leadMean * ratePerDay * varianceToMean + ratePerDay * ratePerDay * leadVariance
    }

    /// P(D = k) for k = 0, 1, ... up to where the tail is negligible.
    public func pmf(upTo limit: Int) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(limit + 1)
        if mean <= 0 { return [1] + [Double](repeating: 0, count: max(0, limit)) }
        if variance <= mean * (1 + 1e-9) {
            var term = exp(-mean)
            for k in 0...limit {
                if k > 0 { term *= mean / Double(k) }
                values.append(term)
            }
        } else {
            let r = mean * mean / (variance - mean)
            let q = mean / variance  // success probability
            var term = exp(r * log(q))
            for k in 0...limit {
                if k > 0 { term *= (r + Double(k) - 1) / Double(k) * (1 - q) }
                values.append(term)
            }
        }
        return values
    }

    public func cdf(_ k: Int) -> Double {
        guard k >= 0 else { return 0 }
        return min(1, pmf(upTo: k).reduce(0, +))
    }

    /// The smallest S with P(D ≤ S − 1) ≥ `probability`.
    public func smallestStock(inStockProbability probability: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = Int(mean + 12 * variance.squareRoot() + 20)
        var cumulative = 0.0
        for (k, p) in pmf(upTo: limit).enumerated() {
            cumulative += p
            if cumulative >= probability { return k + 1 }
        }
        return limit + 1
    }

    /// E[(S − D)+].
    public func expectedOnHand(baseStock s: Int) -> Double {
        guard s > 0 else { return 0 }
        var total = 0.0
        for (k, p) in pmf(upTo: s).enumerated() where k < s { total += Double(s - k) * p }
        return total
    }
}

extension Baselines {
    /// Replaces a plan's expected columns and planned fill rates by the planning core's model of it (the
    /// same evaluation `echelon solve` writes), so a baseline's model-vs-simulation gap measures the
    /// model, not the baseline's own single-node view. Nodes the model does not list keep zeros.
    public static func withModelExpectations(_ plan: Plan, scenario: Scenario) -> (Plan, [PlannedService]) {
        let evaluations = ProductEvaluator(scenario: scenario).evaluate(plan: plan)
        var positions = plan.positions
        for k in positions.indices {
            let evaluation = evaluations[Int(positions[k].product)]
            let node = Int(positions[k].node)
            if let outcome = evaluation.nodes.first(where: { $0.node == node }) {
                positions[k].expectedOnHand = outcome.expectedOnHand
                positions[k].outboundPerDay = outcome.outboundPerDay
                positions[k].inboundPerDay = outcome.inboundPerDay
                positions[k].fillRate = outcome.fillRate
            } else {
                positions[k].expectedOnHand = 0
                positions[k].outboundPerDay = 0
                positions[k].inboundPerDay = 0
                positions[k].fillRate = 0
            }
        }
        var demand = [Double](repeating: 0, count: scenario.speeds.count)
        var onTime = [Double](repeating: 0, count: scenario.speeds.count)
        for evaluation in evaluations {
            for s in demand.indices {
                demand[s] += evaluation.speedDemand[s]
                onTime[s] += evaluation.speedServedOnTime[s]
            }
        }
        let service = scenario.speeds.indices.map { s in
            PlannedService(
                speed: s, targetFillRate: scenario.speeds[s].targetFillRate,
                plannedFillRate: demand[s] > 0 ? onTime[s] / demand[s] : 1, price: 0)
        }
        return (Plan(vendorChoice: plan.vendorChoice, positions: positions), service)
    }
}
