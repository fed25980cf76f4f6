import EchelonModel
import Testing
@testable import EchelonCore

/// A repair round in which every move that would relieve what is over pushes another full capacity past
/// its limit (the spilled demand lands on nodes that are full too) is run again with moves that may
/// overfill: here one node's storage is over and every other node's outbound flow is exactly full, so
/// nothing can move until moves may overfill. The repair then either fits everything, or, if it fails,
/// restores the plan from before the overfilling round: no capacity that fitted is left over.
@Test func aStuckRepairMayOverfillAndRestoresThePlanIfItStillFails() throws {
    let base = TestScenarios.unconstrainedNetwork(products: 60, seed: 9)
    let unpriced = InventoryProblem(model: PlanningModel(scenario: base), threads: 1)
    let zero = [Double](repeating: 0, count: unpriced.limits.count)
    let use = unpriced.relax(prices: zero).use
    let nodeCount = base.nodes.count
    let cut = try #require(base.nodes.firstIndex { $0.id == "FC-1" })
    func stuck(storageShare: Double) -> (problem: InventoryProblem, before: [Double], after: [Double]) {
        var scenario = base
        for n in scenario.nodes.indices where n != cut { scenario.nodes[n].outboundCapacity = use[nodeCount + n] }
        scenario.nodes[cut].storageCapacity = storageShare * use[cut]
        let problem = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
        let before = problem.relax(prices: zero).use
        return (problem, before, problem.repair().use)
    }
    // Storage 5 % over: the relieving moves overfill other outbound flows, which the next rounds relieve.
    let fitting = stuck(storageShare: 0.95)
    #expect(fitting.problem.overfillRoundsRun > 0)
    for r in 0..<(3 * nodeCount) where fitting.problem.limits[r].isFinite {
        #expect(fitting.after[r] <= fitting.problem.limits[r] * (1 + 1e-9), "constraint \(r)")
    }
    // 99 % over cannot be relieved within the rounds: the plan from before the first overfilling round
    // (the relaxation's, since that round moved nothing) comes back, with every outbound flow full again
    // but not over.
    let failing = stuck(storageShare: 0.01)
    #expect(failing.problem.overfillRoundsRun > 0)
    #expect(failing.after[cut] > failing.problem.limits[cut])
    #expect(failing.after == failing.before)
    for n in 0..<nodeCount where n != cut {
        #expect(failing.after[nodeCount + n] <= failing.problem.limits[nodeCount + n] * (1 + 1e-9), "outbound of node \(n)")
    }
}
