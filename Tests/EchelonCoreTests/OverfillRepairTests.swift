import EchelonModel
import Testing
@testable import EchelonCore

/// The tests' 60-product network without limits, its use at zero prices (the limits below are set
/// from it) and those prices.
private func unconstrainedUse() -> (scenario: Scenario, use: [Double], zero: [Double]) {
    let scenario = TestScenarios.unconstrainedNetwork(products: 60, seed: 9)
    let unpriced = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
    let zero = [Double](repeating: 0, count: unpriced.limits.count)
    return (scenario, unpriced.relax(prices: zero).use, zero)
}

/// A repair round in which every move that would relieve what is over pushes another full capacity past
/// its limit (the spilled demand lands on nodes that are full too) is run again with moves that may
/// overfill: here one node's storage is over and every other node's outbound flow is exactly full, so
/// nothing can move until moves may overfill. The repair then either fits everything, or, if it fails,
/// restores the plan from before the overfilling round: no capacity that fitted is left over.
@Test func aStuckRepairMayOverfillAndRestoresThePlanIfItStillFails() throws {
    let (base, use, zero) = unconstrainedUse()
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
    // Overfilling rounds while each leaves less over than before it, up to `overfillingRoundsAtMost`, not one
    // per stuck round (four here before).
    #expect((1...InventoryProblem.overfillingRoundsAtMost).contains(failing.problem.overfillRoundsRun))
    #expect(failing.after[cut] > failing.problem.limits[cut])
    #expect(failing.after == failing.before)
    for n in 0..<nodeCount where n != cut {
        #expect(failing.after[nodeCount + n] <= failing.problem.limits[nodeCount + n] * (1 + 1e-9), "outbound of node \(n)")
    }
}

/// A repair whose rounds each still move something, but relieve less and less, goes on with an
/// overfilling round instead of giving up. Here FC-1's inbound is 3 % under its use and the outbound
/// flows of both DCs and of FC-2, where FC-1's spilled demand goes first, are exactly full: most moves
/// at FC-1 are refused, the few whose spill lands elsewhere keep every round from moving nothing, and
/// the repair used to stop stalled with FC-1's inbound 3.1 % over (as at 100 k products, seed 2, at
/// FC-ATL's inbound behind FC-DFW's outbound).
@Test func aStalledRepairOverfillsInsteadOfGivingUp() throws {
    let (base, use, zero) = unconstrainedUse()
    let nodeCount = base.nodes.count
    let fc1 = try #require(base.nodes.firstIndex { $0.id == "FC-1" })
    var scenario = base
    for id in ["DC-E", "DC-W", "FC-2"] {
        let n = try #require(base.nodes.firstIndex { $0.id == id })
        scenario.nodes[n].outboundCapacity = use[nodeCount + n]
    }
    scenario.nodes[fc1].inboundCapacity = 0.97 * use[2 * nodeCount + fc1]
    let problem = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
    _ = problem.relax(prices: zero)
    let repaired = problem.repair().use
    #expect(problem.overfillRoundsRun > 0)
    for r in 0..<(3 * nodeCount) where problem.limits[r].isFinite {
        #expect(repaired[r] <= problem.limits[r] * (1 + 1e-9), "constraint \(r)")
    }
}
