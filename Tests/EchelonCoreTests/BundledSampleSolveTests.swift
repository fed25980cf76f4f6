import EchelonModel
import Foundation
import Testing
@testable import EchelonCore

/// The acceptance case of the planning core: the bundled US network (2,500 products, 32 nodes, binding
/// storage, flow and fill-rate constraints). The solver must return a plan that fits every capacity
/// with every speed at or above its target in the model, and its reported totals must be the plan's.
/// (How fast it gets there is measured by `echelon bench --scenario us-network`, not here.)
@Test func bundledSamplePlanIsFeasibleAndMeetsEveryTarget() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    var statistics = SolveStatistics()
    let result = Solver().solve(
        model: PlanningModel(scenario: scenario), limits: SolveLimits(gap: 0.005, maxIterations: 80, timeLimit: 600, threads: 2),
        statistics: &statistics)
    #expect(result.violations.isEmpty, "\(result.violations)")
    for (s, speed) in scenario.speeds.enumerated() {
        #expect(result.speeds[s].plannedFillRate >= speed.targetFillRate, "\(speed.id)")
    }
    for (n, node) in scenario.nodes.enumerated() {
        #expect(result.nodes[n].storageUsed <= node.storageCapacity * (1 + 1e-6), "\(node.id) storage")
        #expect(result.nodes[n].outboundUsed <= node.outboundCapacity * (1 + 1e-6), "\(node.id) outbound")
        #expect(result.nodes[n].inboundUsed <= node.inboundCapacity * (1 + 1e-6), "\(node.id) inbound")
    }
    // The capacities really bind: without prices the products' own optima overfill some of them.
    let unpriced = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 2)
    let relaxation = unpriced.relax(prices: [Double](repeating: 0, count: unpriced.limits.count))
    #expect(zip(relaxation.use, unpriced.limits).contains { $0 > $1 * 1.01 })
    // The totals are the plan's: evaluating it product by product gives the same cost.
    let cost = ProductEvaluator(scenario: scenario).evaluate(plan: result.plan).reduce(0) { $0 + $1.costs.total }
    #expect(abs(cost - result.costs.total) < 1e-6 * cost)
    print("bundled sample: cost \(result.costs.total) bound \(result.dualBound) gap \(result.gap) iterations \(result.iterations) \(String(format: "%.1f", result.seconds)) s")
}
