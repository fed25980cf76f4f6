import EchelonCore
import EchelonModel
import Foundation

/// A stand-in for the planning core: a plausible plan (base stock from lead-time demand, use against
/// capacity, prices that rise as a node fills) and a convergence run that closes the gap geometrically.
/// Deterministic, so tests can snapshot what it produces; the dashboard runs it with `--demo`.
public enum ScriptedSolver {
    /// The iterations and the final result of one scripted solve.
    /// - Parameter warm: a re-solve starts near the end and needs fewer iterations.
    public static func run(scenario: Scenario, limits: SolveLimits = SolveLimits(), warm: Bool = false) -> (snapshots: [SolverSnapshot], result: SolveResult) {
        let model = evaluate(scenario)
        let final = model.costs.total
        let iterations = max(2, min(limits.maxIterations, warm ? 14 : 40))
        var snapshots: [SolverSnapshot] = []
        var stop = StopReason.iterationLimit
        for k in 1...iterations {
            let t = Double(k)
            let primal = k < 3 && !warm ? Double.infinity : final * (1 + (warm ? 0.04 : 0.3) * exp(-t / 6))
            let dual = final * (1 - (warm ? 0.03 : 0.25) * exp(-t / 5)) - final * 0.0005
            let gap = primal.isFinite ? (primal - dual) / abs(primal) : .infinity
            let progress = 1 - exp(-t / 4)
            let nodes = model.usage.map { u in
                NodeUsage(storagePrice: u.storagePrice * progress, outboundPrice: u.outboundPrice * progress, inboundPrice: u.inboundPrice * progress,
                          storageUsed: u.storageUsed, outboundUsed: u.outboundUsed, inboundUsed: u.inboundUsed)
            }
            let speeds = model.speeds.map { SpeedService(price: $0.price * progress, plannedFillRate: $0.plannedFillRate) }
            snapshots.append(SolverSnapshot(
                iteration: k, seconds: Double(k) * 0.05, dualBound: dual, bestPrimal: primal, gap: gap, step: 1 / (t + 1),
                maxViolation: 0.2 * exp(-t / 5), nodes: nodes, speeds: speeds))
            if gap <= limits.gap { stop = .gapReached; break }
        }
        let last = snapshots.last!
        let result = SolveResult(
            plan: model.plan, costs: model.costs, dualBound: last.dualBound, gap: last.gap, certified: false,
            iterations: last.iteration, seconds: last.seconds, threads: 1, stopReason: stop, nodes: model.usage, speeds: model.speeds,
            violations: model.violations, history: snapshots)
        return (snapshots, result)
    }

    struct Model {
        var plan: Plan
        var costs: CostBreakdown
        var usage: [NodeUsage]
        var speeds: [SpeedService]
        var violations: [Violation]
    }

    static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.squareRoot()) }

    static func evaluate(_ scenario: Scenario) -> Model {
        let index = ScenarioIndex(scenario)
        let nodeCount = scenario.nodes.count
        // The first upstream node of each node, and the lead time into it.
        var parent = [Int](repeating: -1, count: nodeCount)
        var transit = [Double](repeating: 2, count: nodeCount)
        for n in 0..<nodeCount {
            for l in index.inboundLanes[n] {
                let lane = scenario.lanes[l]
                if case .node(let m) = lane.source { parent[n] = m; transit[n] = lane.transitMean; break }
            }
        }
        var vendorChoice: [Int32] = []
        var positions: [PlanPosition] = []
        var usage = [NodeUsage](repeating: NodeUsage(), count: nodeCount)
        var costs = CostBreakdown()
        var speedDemand = [Double](repeating: 0, count: scenario.speeds.count)
        var speedServed = [Double](repeating: 0, count: scenario.speeds.count)
        let open = scenario.nodes.map { $0.storageCapacity > 0 && $0.outboundCapacity > 0 }

        for (p, product) in scenario.products.enumerated() {
            let choices = scenario.vendorOptions(of: p)
            let best = choices.indices.min { choices[$0].unitPrice < choices[$1].unitPrice } ?? Int(product.vendors.lowerBound)
            vendorChoice.append(Int32(best))
            let vendor = scenario.productVendors[best]
            var load = [Double](repeating: 0, count: nodeCount)
            for share in scenario.demandShares(of: p) {
                let d = product.demandMean * share.share
                speedDemand[Int(share.speed)] += d
                // The cheapest open, eligible node takes the stream.
                for o in index.options(region: Int(share.region), speed: Int(share.speed)) {
                    let option = scenario.options[o]
                    let n = option.node
                    guard open[n], product.sizeClass.eligibleKinds.contains(scenario.nodes[n].kind) else { continue }
                    load[n] += d
                    costs.outboundShipping += d * option.unitCost(cube: product.cube)
                    break
                }
            }
            // Upstream nodes replenish what their children ship.
            var replenish = load
            for n in index.topologicalOrder.reversed() where parent[n] >= 0 && replenish[n] > 0 {
                replenish[parent[n]] += replenish[n]
            }
            var onHandTotal = [Double](repeating: 0, count: nodeCount)
            var fills = [Double](repeating: 0, count: nodeCount)
            for n in 0..<nodeCount where replenish[n] > 0 && open[n] {
                let lead = parent[n] >= 0 ? transit[n] + 0.5 : vendor.leadTimeMean
                let mean = replenish[n] * lead
                let sd = (mean * product.demandVMR + pow(replenish[n] * (parent[n] >= 0 ? 0.5 : vendor.leadTimeStd), 2)).squareRoot()
                let z = scenario.nodes[n].kind == .ssd ? 0.8 : 1.3
                let base = Int32((mean + z * sd).rounded(.up))
                let onHand = max(0.2, Double(base) - mean + 0.4 * sd)
                let fill = min(0.999, normalCDF((Double(base) - mean) / max(sd, 1e-9)))
                onHandTotal[n] = onHand
                fills[n] = fill
                positions.append(PlanPosition(product: Int32(p), node: Int32(n), baseStock: base, expectedOnHand: onHand,
                                              outboundPerDay: load[n], inboundPerDay: replenish[n], fillRate: fill))
                usage[n].storageUsed += onHand * product.cube
                usage[n].outboundUsed += load[n]
                usage[n].inboundUsed += replenish[n]
                costs.holding += onHand * product.unitCost * product.holdingRate / scenario.costs.daysPerYear * scenario.nodes[n].holdingMultiplier
                if parent[n] >= 0 { costs.transfer += replenish[n] * product.cube * 0.2 }
            }
            let bought = product.demandMean
            costs.purchase += bought * vendor.unitPrice
            costs.inboundTransport += bought * product.cube * 0.45
            for share in scenario.demandShares(of: p) {
                let d = product.demandMean * share.share
                var miss = 1.0
                for o in index.options(region: Int(share.region), speed: Int(share.speed)) { miss *= 1 - fills[scenario.options[o].node] }
                speedServed[Int(share.speed)] += d * (1 - miss)
                costs.missPenalty += d * miss * scenario.speeds[Int(share.speed)].missPenalty
            }
        }
        // Prices rise as a node fills past 85 %; the repair scales an over-full node's stock back to its capacity.
        var violations: [Violation] = []
        for n in 0..<nodeCount {
            let node = scenario.nodes[n]
            func price(_ used: Double, _ limit: Double, _ scale: Double) -> Double {
                guard limit > 0 else { return used > 0 ? scale * 10 : 0 }
                return max(0, used / limit - 0.85) * scale
            }
            usage[n].storagePrice = price(usage[n].storageUsed, node.storageCapacity, 0.2)
            usage[n].outboundPrice = price(usage[n].outboundUsed, node.outboundCapacity, 1.5)
            usage[n].inboundPrice = price(usage[n].inboundUsed, node.inboundCapacity, 0.8)
            if node.storageCapacity > 0, usage[n].storageUsed > node.storageCapacity {
                let scale = node.storageCapacity / usage[n].storageUsed
                for i in positions.indices where Int(positions[i].node) == n {
                    let product = scenario.products[Int(positions[i].product)]
                    costs.holding -= (1 - scale) * positions[i].expectedOnHand * product.unitCost * product.holdingRate
                        / scenario.costs.daysPerYear * node.holdingMultiplier
                    positions[i].expectedOnHand *= scale
                    positions[i].baseStock = Int32((Double(positions[i].baseStock) * scale).rounded(.down))
                    positions[i].fillRate *= scale.squareRoot()
                }
                usage[n].storageUsed = node.storageCapacity
            }
            if usage[n].outboundUsed > node.outboundCapacity {
                violations.append(Violation(kind: .outbound, index: n, used: usage[n].outboundUsed, limit: node.outboundCapacity))
            }
            if usage[n].inboundUsed > node.inboundCapacity {
                violations.append(Violation(kind: .inbound, index: n, used: usage[n].inboundUsed, limit: node.inboundCapacity))
            }
        }
        let speeds = scenario.speeds.indices.map { s -> SpeedService in
            let fill = speedDemand[s] > 0 ? speedServed[s] / speedDemand[s] : 1
            let target = scenario.speeds[s].targetFillRate
            if fill < target { violations.append(Violation(kind: .service, index: s, used: fill, limit: target)) }
            return SpeedService(price: max(0, target - fill) * scenario.speeds[s].missPenalty * 4, plannedFillRate: fill)
        }
        return Model(plan: Plan(vendorChoice: vendorChoice, positions: positions), costs: costs, usage: usage, speeds: speeds, violations: violations)
    }
}
