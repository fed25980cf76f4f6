// Service targets that no plan can meet: a closed node or a cut-off leaves some orders with no node
// that keeps their promise, and no stock anywhere serves them on time.

import EchelonModel
import Foundation
import Testing
@testable import EchelonCore

/// The separable instance with FC0 closed (region 0's orders have no node left) and FC1's cut-off at
/// noon (region 1's orders after it have none): its reachable fill rate in closed form.
private func separableWithFC0ClosedAndFC1AtNoon(target: Double) -> Scenario {
    var scenario = separableScenario(prices: [0.4, 0.9, 0.15])
    scenario.nodes[0].storageCapacity = 0
    scenario.nodes[0].outboundCapacity = 0
    scenario.nodes[0].inboundCapacity = 0
    scenario.nodes[1].cutoffHour = [12]
    scenario.speeds[0].targetFillRate = target
    return scenario
}

@Test func reachableFillRateIsTheShareOfOrdersWithANodeThatKeepsThePromise() {
    let scenario = separableWithFC0ClosedAndFC1AtNoon(target: 0.3)
    // Uniform arrivals: hours 0–11 are before a noon cut-off, half of region 1's orders.
    let demand = separableProducts.reduce(0) { $0 + $1.mean }
    let reachable = separableProducts.reduce(0) { $0 + $1.mean * (0.5 * $1.shares[1] + $1.shares[2]) }
    let model = PlanningModel(scenario: scenario)
    #expect(abs(model.reachableFillRate[0] - reachable / demand) < 1e-12, "\(model.reachableFillRate[0]) against \(reachable / demand)")
    #expect(!model.isUnreachable(speed: 0))
    // Every order reaches a node in the scenario as shipped.
    #expect(abs(PlanningModel(scenario: separableScenario(prices: [0.4, 0.9, 0.15])).reachableFillRate[0] - 1) < 1e-12)
}

/// A target above the reachable share is left out of the master (its price would climb without end),
/// so the plan is the one planned with no target at all; the result says the target is not met and how
/// far it can be approached.
@Test func anUnreachableTargetIsPlannedByItsPenaltyAloneAndReported() {
    let unreachable = separableWithFC0ClosedAndFC1AtNoon(target: 0.95)
    let reachable = PlanningModel(scenario: unreachable).reachableFillRate[0]
    #expect(reachable < 0.95)
    let limits = SolveLimits(gap: 1e-9, maxIterations: 400, timeLimit: 60, threads: 1)
    let result = Solver(method: .subgradient, repairInterval: 1).solve(scenario: unreachable, limits: limits)
    let free = Solver(method: .subgradient, repairInterval: 1).solve(scenario: separableWithFC0ClosedAndFC1AtNoon(target: 0), limits: limits)
    #expect(free.violations.isEmpty)
    #expect(result.plan == free.plan)
    #expect(result.costs == free.costs)
    #expect(result.iterations == free.iterations && result.stopReason == free.stopReason)
    #expect(result.gap == free.gap, "\(result.gap) against \(free.gap)")
    #expect(result.violations.count == 1)
    let violation = result.violations.first
    #expect(violation?.kind == .service && violation?.limit == 0.95)
    #expect(violation?.reachable == reachable)
    #expect((violation?.used ?? 1) < reachable)
    #expect(result.speeds[0].price == 0)
    // summary.json names how far the target can be approached.
    let summary = SolveOutput.summaryJSON(result, scenario: unreachable)
    #expect(summary.contains("\"limit\": 0.95, \"amount\": "), "\(summary)")
    #expect(summary.contains("\"reachable\": \(SolveOutput.jsonNumber(reachable))}"), "\(summary)")
}

/// The dashboard's "close a building" on the bundled sample: FC-EWR also supplies SSD-NYC, and 28 % of the
/// same-day orders have no other node that keeps the promise. Before, the same-day price climbed without
/// end (a dual bound of 2e15 after 60 s) and the plan broke 28 capacities; now every capacity fits and
/// only the same-day target, reported as out of reach, is missed.
@Test func closingFCEWRLeavesTheSameDayTargetOutOfReachAndEveryCapacityMet() throws {
    var scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let ewr = try #require(scenario.nodes.firstIndex { $0.id == "FC-EWR" })
    scenario = try scenario.applying([.closeNode(node: ewr)])
    let model = PlanningModel(scenario: scenario)
    let sameDay = try #require(scenario.speeds.firstIndex { $0.id == "same_day" })
    #expect(model.isUnreachable(speed: sameDay))
    var statistics = SolveStatistics()
    let result = Solver().solve(
        model: model, limits: SolveLimits(gap: 0.005, maxIterations: 80, timeLimit: 600, threads: 2), statistics: &statistics)
    #expect(result.stopReason == .gapReached)
    #expect(result.violations.map(\.kind) == [.service], "\(result.violations)")
    #expect(result.violations.first?.index == sameDay)
    #expect(result.violations.first?.reachable == model.reachableFillRate[sameDay])
    for (s, speed) in scenario.speeds.enumerated() where s != sameDay {
        #expect(result.speeds[s].plannedFillRate >= speed.targetFillRate, "\(speed.id)")
    }
}

/// A target every order can reach but not within the capacities (the separable instance's storage fits its
/// optimum at moderate fill rates, and 99 % needs more): at the iteration cap no plan met both, so the target
/// is left out and the master goes on from its prices. The plan then keeps every capacity and is the exact
/// optimum without the target (the oracle's, to 1e-6); the target is reported as left out for the capacities.
@Test func aTargetNotMetWithinTheCapacitiesIsLeftOutAndTheCapacitiesKept() {
    var scenario = separableScenario(prices: [0.4, 0.9, 0.15])
    let exactWithoutTarget = SeparableOracle(scenario: scenario).optimalCost()
    scenario.speeds[0].targetFillRate = 0.99
    #expect(!PlanningModel(scenario: scenario).isUnreachable(speed: 0))
    let result = Solver(method: .subgradient, repairInterval: 1).solve(
        scenario: scenario, limits: SolveLimits(gap: 1e-9, maxIterations: 30, timeLimit: 600, threads: 1))
    #expect(result.iterations > 30, "the master went on after the cap: \(result.iterations) iterations")
    #expect(result.violations.count == 1, "\(result.violations)")
    #expect(result.violations.first?.kind == .service && result.violations.first?.leftOutForCapacities == true)
    #expect(result.violations.first?.reachable == nil)
    #expect(result.speeds[0].targetLeftOut && result.speeds[0].price == 0)
    #expect(abs(result.costs.total - exactWithoutTarget) / exactWithoutTarget < 1e-6, "\(result.costs.total) against \(exactWithoutTarget)")
    #expect(result.gap.isFinite)
    #expect(SolveOutput.summaryJSON(result, scenario: scenario).contains("\"left_out_for_capacities\": true"))
}

/// Closing DC-ABE in the bundled sample: FC-BOS, FC-BWI, FC-CMH and FC-EWR lose their supplier. Same-day and
/// one-day are out of reach; two-day is reachable but not within the capacities left (DC-MEM's and FC-ORD's
/// outbound were 51 % and 78 % over in the plan at the iteration cap). Every capacity now holds.
@Test func closingDCABEKeepsEveryCapacityAndLeavesTwoDayOut() throws {
    var scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let abe = try #require(scenario.nodes.firstIndex { $0.id == "DC-ABE" })
    scenario = try scenario.applying([.closeNode(node: abe)])
    let twoDay = try #require(scenario.speeds.firstIndex { $0.id == "two_day" })
    var statistics = SolveStatistics()
    let result = Solver().solve(
        model: PlanningModel(scenario: scenario), limits: SolveLimits(gap: 0.005, maxIterations: 40, timeLimit: 600, threads: 2),
        statistics: &statistics)
    #expect(result.violations.allSatisfy { $0.kind == .service }, "\(result.violations)")
    #expect(result.violations.contains { $0.index == twoDay && $0.leftOutForCapacities })
    #expect(result.violations.filter { $0.index != twoDay }.allSatisfy { $0.reachable != nil })
}

/// The capacities-first phase runs only where the kept plan breaks a capacity by more than the reported
/// violations' tolerance (a millionth): one that keeps them all and misses a target by a hair (closing
/// SSD-YYZ: 0.2 points) is returned as it is.
@Test func onlyAPlanThatBreaksACapacityLeavesTargetsOut() {
    var scenario = separableScenario(prices: [0.4, 0.9, 0.15])
    let model = PlanningModel(scenario: scenario)
    let storage = scenario.nodes.map(\.storageCapacity)
    var use = storage + [0, 0, 0] + [0, 0, 0] + [1e6]  // storage at its limits, no flows, every unit missed
    #expect(Solver.capacityExcess(model: model, use: use) == 0)
    use[1] = storage[1] * (1 + 5e-7)
    #expect(Solver.capacityExcess(model: model, use: use) <= Solver.capacityTolerance, "within the reported tolerance")
    use[1] = storage[1] * (1 + 1e-3)
    #expect(abs(Solver.capacityExcess(model: model, use: use) - 1e-3 * storage[1] / max(1, storage[1])) < 1e-12)
    // A closed node's use does not count (its positions are not planned).
    scenario.nodes[1].storageCapacity = 0
    scenario.nodes[1].outboundCapacity = 0
    scenario.nodes[1].inboundCapacity = 0
    #expect(Solver.capacityExcess(model: PlanningModel(scenario: scenario), use: use) == 0)
}

/// A cancel during the capacities-first run gives back the first run's plan, not that run's relaxation
/// unrepaired (a cancelled run skips its last repair): the same plan as a cancel just before it started.
@Test func aCancelDuringTheCapacitiesFirstRunGivesBackTheFirstRunsPlan() throws {
    var scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let abe = try #require(scenario.nodes.firstIndex { $0.id == "DC-ABE" })
    scenario = try scenario.applying([.closeNode(node: abe)])
    let limits = SolveLimits(gap: 0.005, maxIterations: 20, timeLimit: 600, threads: 2)
    func solve(cancellingAfter snapshots: Int) -> SolveResult {
        var seen = 0
        return Solver().solve(scenario: scenario, limits: limits, progress: { _ in seen += 1 }, cancel: { seen >= snapshots })
    }
    let beforeIt = solve(cancellingAfter: 20)
    let duringIt = solve(cancellingAfter: 22)
    #expect(beforeIt.iterations == 20 && duringIt.iterations == 22)
    #expect(duringIt.stopReason == .cancelled)
    #expect(duringIt.plan == beforeIt.plan)
    #expect(duringIt.violations == beforeIt.violations)
    #expect(duringIt.violations.contains { $0.kind != .service }, "the first run's plan broke capacities: \(duringIt.violations)")
}
