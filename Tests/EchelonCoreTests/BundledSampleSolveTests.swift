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

/// A storage cut that the last plan breaks (a limits-only what-if, so the last relaxation is carried):
/// the plan is repaired where it stands before the first iteration (`InventoryProblem.evaluateCarried`),
/// so the first snapshot already holds a plan that fits within the gap, and most products keep their
/// plans. (Before, the first iteration had no plan: the bundled sample's carried relaxation is 156 %
/// over a storage priced 0, which steered the next step more than FC-EWR's cut did.)
@Test func aCutThePlanBreaksIsRepairedWhereThePlanStands() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let cold = Solver().solve(scenario: scenario, limits: SolveLimits(gap: 0.001, maxIterations: 200, timeLimit: 600, threads: 2))
    #expect(cold.violations.isEmpty)
    let node = try #require(scenario.nodes.firstIndex { $0.id == "FC-EWR" })
    let capacity = 0.8 * scenario.nodes[node].storageCapacity
    try #require(cold.nodes[node].storageUsed > capacity * 1.01, "the cold plan must break the cut")
    let changed = try scenario.applying([.setCapacity(node: node, storage: capacity, outbound: nil, inbound: nil)])
    var snapshots: [SolverSnapshot] = []
    let limits = SolveLimits(gap: 0.01, maxIterations: 200, timeLimit: 600, threads: 2)
    let warm = Solver().solve(scenario: changed, limits: limits, warmStart: WarmStart(cold)) { snapshots.append($0) }
    let first = try #require(snapshots.first { $0.iteration == 1 })
    #expect(first.bestPrimal.isFinite, "no plan at the first iteration")
    #expect(first.gap <= limits.gap, "first iteration's gap \(first.gap)")
    #expect(warm.violations.isEmpty, "\(warm.violations)")
    #expect(warm.nodes[node].storageUsed <= capacity * (1 + 1e-6))
    #expect(warm.gap <= limits.gap)
    func positions(_ plan: Plan) -> [Int32: [PlanPosition]] { Dictionary(grouping: plan.positions, by: \.product) }
    let before = positions(cold.plan), after = positions(warm.plan)
    let kept = scenario.products.indices.filter { p in
        let key = Int32(p)
        return before[key]?.map { [$0.node, $0.baseStock] } == after[key]?.map { [$0.node, $0.baseStock] }
            && cold.plan.vendorChoice[p] == warm.plan.vendorChoice[p]
    }.count
    #expect(Double(kept) >= 0.5 * Double(scenario.products.count), "\(kept) of \(scenario.products.count) products kept their plans")
    print("cut repaired from the plan: \(kept) of \(scenario.products.count) products kept their plans; warm gap \(warm.gap)")
}

/// After a limits-only what-if a re-solve copies the figures of every product whose plan it kept from
/// the last solve's final evaluation (`PlanEvaluation`) instead of evaluating it again; the plan it
/// reports must still be exactly that plan's own evaluation, to the bit, as if nothing were copied.
@Test func aKeptProductsFiguresAreCopiedExactlyFromTheLastEvaluation() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let limits = SolveLimits(gap: 0.01, maxIterations: 200, timeLimit: 600, threads: 2)
    let cold = Solver().solve(scenario: scenario, limits: limits)
    let evaluation = try #require(cold.planEvaluation, "a solve that carries its relaxation keeps its plan's evaluation")
    let node = try #require(scenario.nodes.firstIndex { $0.id == "FC-EWR" })
    let changed = try scenario.applying([
        .setCapacity(node: node, storage: 0.8 * scenario.nodes[node].storageCapacity, outbound: nil, inbound: nil)
    ])
    let warm = Solver().solve(scenario: changed, limits: limits, warmStart: WarmStart(cold))
    let model = PlanningModel(scenario: changed)
    let problem = InventoryProblem(model: model, threads: 1)
    problem.warmStart(from: warm.plan)
    let fresh = Solver.evaluatePlan(model: model, store: problem.current, offsets: problem.offsets, threads: 1)
    let copying = Solver.evaluatePlan(
        model: model, store: problem.current, offsets: problem.offsets, threads: 2, previous: evaluation)
    #expect(fresh.copied == 0)
    #expect(copying.copied > scenario.products.count / 2, "\(copying.copied) products copied")
    #expect(copying.copied < scenario.products.count, "the cut changed some products' plans")
    #expect(copying.plan == fresh.plan)
    #expect(copying.costs == fresh.costs)
    #expect(copying.use == fresh.use)
    #expect(warm.plan == fresh.plan)
    #expect(warm.costs == fresh.costs)
    // A plan edited since (one base stock raised) is copied except where it differs from the one evaluated.
    var edited = cold.plan
    let row = try #require(edited.positions.indices.first)
    edited.positions[row].baseStock += 1
    let editedProblem = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
    editedProblem.warmStart(from: edited)
    let baseModel = PlanningModel(scenario: scenario)
    let editedFresh = Solver.evaluatePlan(model: baseModel, store: editedProblem.current, offsets: editedProblem.offsets, threads: 1)
    let editedCopying = Solver.evaluatePlan(
        model: baseModel, store: editedProblem.current, offsets: editedProblem.offsets, threads: 1, previous: evaluation)
    #expect(editedCopying.copied == scenario.products.count - 1)
    #expect(editedCopying.plan == editedFresh.plan)
    #expect(editedCopying.costs == editedFresh.costs)
    // A scenario whose products differ (demand scaled) copies nothing.
    let scaled = try scenario.applying([.scaleDemand(scope: .all, factor: 1.1)])
    let scaledModel = PlanningModel(scenario: scaled)
    let scaledProblem = InventoryProblem(model: scaledModel, threads: 1)
    scaledProblem.warmStart(from: cold.plan)
    let notCopied = Solver.evaluatePlan(
        model: scaledModel, store: scaledProblem.current, offsets: scaledProblem.offsets, threads: 1, previous: evaluation)
    #expect(notCopied.copied == 0)
}

/// The same after an outbound cut at the node whose outbound binds (FC-DFW): the warm plan's repair
/// moves flow, not stock held, and the re-solve's reported figures are still its plan's own.
@Test func aWarmResolveAfterAnOutboundCutReportsItsPlansOwnFigures() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let limits = SolveLimits(gap: 0.01, maxIterations: 200, timeLimit: 600, threads: 2)
    let cold = Solver().solve(scenario: scenario, limits: limits)
    let node = try #require(scenario.nodes.firstIndex { $0.id == "FC-DFW" })
    let capacity = 0.85 * scenario.nodes[node].outboundCapacity
    try #require(cold.nodes[node].outboundUsed > capacity * 1.01, "the cold plan must break the cut")
    let changed = try scenario.applying([.setCapacity(node: node, storage: nil, outbound: capacity, inbound: nil)])
    let warm = Solver().solve(scenario: changed, limits: limits, warmStart: WarmStart(cold))
    #expect(warm.violations.isEmpty, "\(warm.violations)")
    #expect(warm.gap <= limits.gap)
    #expect(warm.nodes[node].outboundUsed <= capacity * (1 + 1e-6))
    let model = PlanningModel(scenario: changed)
    let problem = InventoryProblem(model: model, threads: 1)
    problem.warmStart(from: warm.plan)
    let fresh = Solver.evaluatePlan(model: model, store: problem.current, offsets: problem.offsets, threads: 1)
    #expect(warm.plan == fresh.plan)
    #expect(warm.costs == fresh.costs)
}

/// A re-solve after more capacity (the last plan still fits) starts from that plan without evaluating
/// any product: the carried relaxation brings its own evaluation, and the plan's products are copied from
/// the last solve's final evaluation, so the starting plan costs exactly what that solve reported.
/// The bundled sample solved cold to 1 %, FC-EWR's storage scaled by `share`, and the changed scenario's
/// problem warm-started from the plan, its evaluation and its carried relaxation as `Solver` sets it up.
private func warmProblemAfterScalingFCEWRStorage(by share: Double) throws -> (cold: SolveResult, evaluation: PlanEvaluation, model: PlanningModel, problem: InventoryProblem) {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let cold = Solver().solve(scenario: scenario, limits: SolveLimits(gap: 0.01, maxIterations: 200, timeLimit: 600, threads: 2))
    let relaxation = try #require(cold.relaxation)
    let evaluation = try #require(cold.planEvaluation)
    let node = try #require(scenario.nodes.firstIndex { $0.id == "FC-EWR" })
    let changed = try scenario.applying([
        .setCapacity(node: node, storage: share * scenario.nodes[node].storageCapacity, outbound: nil, inbound: nil)
    ])
    let model = PlanningModel(scenario: changed)
    let problem = InventoryProblem(model: model, threads: 2)
    problem.warmStart(from: cold.plan)
    problem.warmPlanEvaluation = evaluation
    #expect(problem.carry(relaxation))
    return (cold, evaluation, model, problem)
}

@Test func aWarmPlanThatStillFitsIsTakenWithoutEvaluatingIt() throws {
    let (cold, evaluation, model, problem) = try warmProblemAfterScalingFCEWRStorage(by: 1.2)
    let candidate = try #require(problem.repairStartingPlan(deadline: UInt64.max), "the plan fits the raised limit")
    #expect(problem.evaluationCounts.evaluations == 0)
    let copiedCost = (0..<model.scenario.products.count).reduce(0.0) { $0 + evaluation.cost(of: $1) }
    #expect(abs(candidate.cost - copiedCost) <= 1e-12 * copiedCost)
    #expect(abs(candidate.cost - cold.costs.total) <= 1e-12 * cold.costs.total, "\(candidate.cost) against \(cold.costs.total)")
}

/// The warm plan's repair tries its moves to a looser tolerance and evaluates the ones it applies
/// exactly, from the trial's fixed point: every product's figures in the repaired plan are those of an
/// exact evaluation from scratch (to the fixed point's tolerance), and the plan's cost is theirs, so
/// that what the repair fitted fits when the plan is evaluated at the end.
@Test func theWarmPlansRepairKeepsEveryProductsFiguresExact() throws {
    let (_, _, model, problem) = try warmProblemAfterScalingFCEWRStorage(by: 0.8)
    let candidate = try #require(problem.repairStartingPlan(deadline: UInt64.max), "the cut is repaired")
    #expect(problem.repairEvaluations > 1_000)
    let w = ProductWorkspace(model: model)
    var cost = 0.0, worst = 0.0
    for p in 0..<model.scenario.products.count {
        let offset = problem.offsets[p]
        w.evaluate(stored: problem.repaired, product: p, offset: offset)
        cost += w.costs.total
        worst = max(worst, abs(w.costs.total - problem.repaired.cost[p]) / max(1, abs(w.costs.total)))
        for i in 0..<w.nodeCount {
            worst = max(worst, abs(w.cube * w.onHand[i] - problem.repaired.storageUse[offset + i]) / max(1, w.cube * w.onHand[i]))
            worst = max(worst, abs(w.served[i] - problem.repaired.outboundUse[offset + i]) / max(1, w.served[i]))
            worst = max(worst, abs(w.inbound[i] - problem.repaired.inboundUse[offset + i]) / max(1, w.inbound[i]))
        }
    }
    // Evaluations from different starts agree to about 6e-8 here (kept products' too, copied from the
    // last solve's); a millionth is what the solver counts as a violation (`Solver.violations`).
    #expect(worst <= 1e-6, "largest relative difference \(worst)")
    print("warm plan's repair: \(problem.repairEvaluations) trials, largest relative difference from scratch \(worst)")
    #expect(abs(candidate.cost - cost) <= 1e-8 * cost, "\(candidate.cost) against \(cost)")
}

/// After a cut the repaired plan closes the gap at once and one more relaxation runs only to move the
/// stale prices; it keeps more products unsolved than the iterations do (their dual value counts only
/// if it beats the bound). The plan and the gap are the same; fewer subproblems are solved.
@Test func theStalePricesLastStepKeepsMoreProductsUnsolved() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let cold = Solver().solve(scenario: scenario, limits: SolveLimits(gap: 0.001, maxIterations: 10_000, timeLimit: 600, threads: 2))
    let node = try #require(scenario.nodes.firstIndex { $0.id == "FC-EWR" })
    let changed = PlanningModel(scenario: try scenario.applying([
        .setCapacity(node: node, storage: 0.8 * scenario.nodes[node].storageCapacity, outbound: nil, inbound: nil)
    ]))
    let limits = SolveLimits(gap: 0.01, maxIterations: 10_000, timeLimit: 600, threads: 2)
    var asIterations = Solver()
    asIterations.staleStepKeptUseShare = Solver.warmKeptUseShare
    var statistics = SolveStatistics(), iterationsStatistics = SolveStatistics()
    let warm = Solver().solve(model: changed, limits: limits, warmStart: WarmStart(cold), statistics: &statistics)
    let asBefore = asIterations.solve(model: changed, limits: limits, warmStart: WarmStart(cold), statistics: &iterationsStatistics)
    #expect(warm.iterations == 2 && asBefore.iterations == 2, "the plan closes the gap at the first iteration")
    #expect(warm.violations.isEmpty && warm.gap <= limits.gap)
    #expect(warm.costs.total == asBefore.costs.total)
    #expect(warm.dualBound <= warm.costs.total)
    #expect(statistics.subproblemsSolved < iterationsStatistics.subproblemsSolved,
        "\(statistics.subproblemsSolved) subproblems against \(iterationsStatistics.subproblemsSolved)")
    print("stale step: \(statistics.subproblemsSolved) subproblems, \(statistics.evaluations) evaluations; kept as the iterations keep: \(iterationsStatistics.subproblemsSolved), \(iterationsStatistics.evaluations)")
}

/// A cut the plan's repair cannot absorb in a few rounds is left to the iterations: after FC-EWR's
/// storage −60 % the warm plan's repair crept at a one-day shortfall for 18 rounds (89 427 repair
/// evaluations, 0.9 s) before the next iteration's assembled plan fitted in two; it now stops after
/// `InventoryProblem.warmPlanRepairRounds` (27 565). Deterministic counts.
@Test func aWarmPlanRepairThatCreepsIsLeftToTheIterations() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let cold = Solver().solve(scenario: scenario, limits: SolveLimits(gap: 0.001, maxIterations: 10_000, timeLimit: 600, threads: 2))
    let node = try #require(scenario.nodes.firstIndex { $0.id == "FC-EWR" })
    let changed = try scenario.applying([
        .setCapacity(node: node, storage: 0.4 * scenario.nodes[node].storageCapacity, outbound: nil, inbound: nil)
    ])
    var statistics = SolveStatistics()
    let limits = SolveLimits(gap: 0.01, maxIterations: 10_000, timeLimit: 600, threads: 2)
    let warm = Solver().solve(model: PlanningModel(scenario: changed), limits: limits, warmStart: WarmStart(cold), statistics: &statistics)
    #expect(warm.violations.isEmpty, "\(warm.violations)")
    #expect(warm.gap <= limits.gap)
    #expect(statistics.repairEvaluations < 50_000, "\(statistics.repairEvaluations) repair evaluations")
    print("warm re-solve after a 60 % cut: \(statistics.repairEvaluations) repair evaluations, \(warm.iterations) iterations")
}
