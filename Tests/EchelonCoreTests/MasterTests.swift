import Dispatch
import Testing
@testable import EchelonCore

/// Single newsvendor of the reference notes: h = 2, p = 18, N(120, 10).
@Test func newsvendorCriticalFractile() {
    let item = NewsvendorItem(mean: 120, sd: 10, holding: 2, shortage: 18, volume: 1)
    let order = item.bestOrder(price: 0)
    #expect(abs(order - 132.815515655446) < 1e-6)
    #expect(abs(item.expectedCost(order) - 35.09966638649737) < 1e-6)
    // And through the master with a capacity that does not bind: zero price, same cost, zero gap.
    let problem = NewsvendorProblem(items: [item], capacity: 1000)
    let outcome = LagrangianMaster.run(problem: problem, start: [0], options: MasterOptions(method: .subgradient, gap: 1e-12, maxIterations: 50, repairInterval: 1))
    #expect(outcome.bestPrices[0] == 0)
    #expect(abs(outcome.bestPrimal - 35.09966638649737) < 1e-6)
    #expect(abs(outcome.dualBound - 35.09966638649737) < 1e-6)
}

/// Capacitated multi-item newsvendor of the reference notes §2.4: λ* = 2.6822772, C* = 673.412154, to
/// 1e-6 with Polyak steps and with the adaptive method (the default: 44 iterations, 7.5e-8 on the price).
/// The volume algorithm trades end precision for speed on large problems; it is held to 1e-3 on the price
/// and 1e-5 on the cost (docs/solver.md).
@Test(arguments: MasterMethod.allCases)
func capacitatedMultiItemNewsvendor(method: MasterMethod) {
    let priceTolerance = method == .volume ? 1e-3 : 1e-6
    let costTolerance = method == .volume ? 1e-5 : 1e-6
    let items = [
        NewsvendorItem(mean: 100, sd: 30, holding: 1, shortage: 9, volume: 1),
        NewsvendorItem(mean: 200, sd: 50, holding: 2, shortage: 8, volume: 2),
        NewsvendorItem(mean: 50, sd: 20, holding: 0.5, shortage: 4.5, volume: 0.5),
        NewsvendorItem(mean: 80, sd: 40, holding: 3, shortage: 12, volume: 1.5),
    ]
    let problem = NewsvendorProblem(items: items, capacity: 600)
    let outcome = LagrangianMaster.run(
        problem: problem, start: [0], options: MasterOptions(method: method, gap: 0, maxIterations: 400, repairInterval: 1))
    #expect(abs(outcome.bestPrices[0] - 2.6822772) < priceTolerance, "price \(outcome.bestPrices[0])")
    #expect(abs(outcome.dualBound - 673.412154) < costTolerance, "dual \(outcome.dualBound)")
    #expect(abs(outcome.bestPrimal - 673.412154) < 1e-6, "primal \(outcome.bestPrimal)")
    #expect(outcome.certified)
    let expected = [110.0965, 168.3772, 56.7310, 83.1890]
    for (y, target) in zip(problem.bestOrders, expected) { #expect(abs(y - target) < 1e-4) }
}

@Test func masterStopsOnCancelWithinOneIteration() {
    let items = [NewsvendorItem(mean: 100, sd: 30, holding: 1, shortage: 9, volume: 1)]
    let problem = NewsvendorProblem(items: items, capacity: 50)
    var seen = 0
    let outcome = LagrangianMaster.run(
        problem: problem, start: [0], options: MasterOptions(gap: 0, maxIterations: 100), cancel: { seen >= 3 },
        onIteration: { _ in seen += 1 })
    #expect(outcome.iterations == 3)
    #expect(outcome.stopReason == .cancelled)
}

/// A cancelled run returns at once: no last repair, which could take until the time limit (a dashboard
/// re-solve cancelled by the next one waited for it). Here no plan fits, so the last repair would run.
@Test func aCancelledRunDoesNotRepairAgain() {
    let probe = CreepingProbe(excess: [0.5])
    var seen = 0
    let outcome = LagrangianMaster.run(
        problem: probe, start: [0], options: MasterOptions(gap: 0.005, maxIterations: 100, timeLimit: 600, repairInterval: 1_000),
        cancel: { seen >= 2 }, onIteration: { _ in seen += 1 })
    #expect(outcome.iterations == 2 && outcome.stopReason == .cancelled)
    #expect(probe.repairedAt.isEmpty, "repaired after \(probe.repairedAt) relaxations")
    #expect(!outcome.bestPrimal.isFinite)
}

/// A problem no plan of which fits, recording the deadlines its repairs are given.
final class NothingFitsProbe: DecomposableProblem {
    var limits: [Double] { [100] }
    var deadlines: [UInt64] = []
    /// From this repair on (counting from 1), the repaired plan fits.
    var fitsFromRepair = Int.max
    func relax(prices: [Double]) -> Relaxation { Relaxation(pricedValue: 100 + prices[0] * 150, use: [150], cost: 100, exact: true) }
    func repair() -> PrimalCandidate { repair(deadline: .max) }
    func repair(deadline: UInt64) -> PrimalCandidate {
        deadlines.append(deadline)
        return PrimalCandidate(cost: 101, use: [deadlines.count >= fitsFromRepair ? 100 : 120])
    }
    func keepRepairedAsBest() {}
}

/// A run with no plan by `abandonWithoutPlanAfter` stops there (as at its time limit), and its last repair
/// gets a tenth of the time limit, not the rest of it: the solver then solves again with the targets the
/// plan misses left out, in the time left (capacities first).
@Test func aRunWithoutAPlanGivesWayAfterItsShareOfTheTime() {
    let probe = NothingFitsProbe()
    var options = MasterOptions(gap: 0.005, maxIterations: 100, timeLimit: 100, repairInterval: 1_000)
    options.abandonWithoutPlanAfter = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let outcome = LagrangianMaster.run(problem: probe, start: [0], options: options)
    #expect(outcome.iterations == 1 && outcome.stopReason == .noPlanInTime && !outcome.bestPrimal.isFinite)
    #expect(probe.deadlines.count == 1)
    let allowed = Double((probe.deadlines.first ?? 0) &- start) / 1e9
    #expect(allowed > 9.5 && allowed <= 10.5, "last repair allowed \(allowed) s")
    // Where that repair fits, the run goes on to its limits (a slow solve that gets there).
    let late = NothingFitsProbe()
    late.fitsFromRepair = 1
    options.maxIterations = 5
    let goesOn = LagrangianMaster.run(problem: late, start: [0], options: options)
    #expect(goesOn.iterations > 1 && goesOn.stopReason != .noPlanInTime && goesOn.bestPrimal == 101, "\(goesOn.iterations) \(goesOn.stopReason)")
    // Without the option it runs to its cap.
    let patient = NothingFitsProbe()
    options.abandonWithoutPlanAfter = .infinity
    options.maxIterations = 5
    #expect(LagrangianMaster.run(problem: patient, start: [0], options: options).iterations == 5)
}

/// A problem that records the deadline its starting plan's repair is given and offers a feasible plan
/// of known cost.
final class StartingPlanProbe: DecomposableProblem {
    var limits: [Double] { [10] }
    var deadline: UInt64 = 0
    var kept = false
    func relax(prices: [Double]) -> Relaxation { Relaxation(pricedValue: 95 + 10 * prices[0], use: [10], cost: 95, exact: true) }
    func repair() -> PrimalCandidate { PrimalCandidate(cost: 95, use: [10]) }
    func keepRepairedAsBest() { kept = true }
    func repairStartingPlan(deadline: UInt64) -> PrimalCandidate? {
        self.deadline = deadline
        return PrimalCandidate(cost: 100, use: [9])
    }
}

/// The starting plan is repaired before the first relaxation, kept when it fits, and its repair may use a
/// quarter of the time limit at most (at 100k products an unbounded one took the whole limit).
@Test func startingPlanIsRepairedFirstWithinAQuarterOfTheTime() {
    let probe = StartingPlanProbe()
    let start = DispatchTime.now().uptimeNanoseconds
    var firstBestPrimal = Double.nan
    let outcome = LagrangianMaster.run(
        problem: probe, start: [0], options: MasterOptions(gap: 0, maxIterations: 1, timeLimit: 100),
        onIteration: { step in if step.iteration == 1 { firstBestPrimal = step.bestPrimal } })
    #expect(probe.kept)
    // Kept before the first iteration; that iteration's own relaxation (cost 95) fits too.
    #expect(firstBestPrimal == 95)
    let allowed = Double(probe.deadline &- start) / 1e9
    #expect(allowed > 24 && allowed <= 25.5, "starting repair allowed \(allowed) s")
    #expect(outcome.bestPrimal == 95)
}

/// A problem whose single constraint swings across its limit with its price, counting the plans asked of it.
final class SwingingProbe: DecomposableProblem {
    var limits: [Double] { [10] }
    var repairs = 0
    var assemblies = 0
    func relax(prices: [Double]) -> Relaxation {
        let use = prices[0] < 1 ? 12.0 : 8.0
        return Relaxation(pricedValue: 100 + (prices[0] - 1) * (use - 10) + 10 * prices[0], use: [use], cost: 100, exact: true)
    }
    func repair() -> PrimalCandidate {
        repairs += 1
        return PrimalCandidate(cost: 101, use: [10])
    }
    func keepRepairedAsBest() {}
    func assemble(prices: [Double], deadline: UInt64) -> PrimalCandidate? {
        assemblies += 1
        return nil
    }
}

/// A problem whose relaxation creeps towards its limit by a scripted share each iteration (prices aside)
/// and whose repair never fits, recording when it is asked for one.
final class CreepingProbe: DecomposableProblem {
    let excess: [Double]
    var relaxations = 0
    /// The relaxations run at each repair.
    var repairedAt: [Int] = []
    init(excess: [Double]) { self.excess = excess }
    var limits: [Double] { [100] }
    func relax(prices: [Double]) -> Relaxation {
        let use = 100 * (1 + excess[min(relaxations, excess.count - 1)])
        relaxations += 1
        return Relaxation(pricedValue: 100 + prices[0] * use, use: [use], cost: 100, exact: true)
    }
    func repair() -> PrimalCandidate {
        repairedAt.append(relaxations)
        return PrimalCandidate(cost: 101, use: [150])
    }
    func keepRepairedAsBest() {}
}

/// After a failed repair the next one waits for a relaxation a fifth closer to fitting than the closest
/// since (`closerAfterFailedRepair`), not the next one a hair closer: of 4.0, 3.9, 3.8, 3.7, 3.0, 2.9,
/// 2.3 % over, 4.0 and 2.3 are repaired, then the last repair at the end; without the rule every one was.
@Test func aFailedRepairWaitsForARelaxationAFifthCloser() {
    let excess = [0.040, 0.039, 0.038, 0.037, 0.030, 0.029, 0.023]
    var options = MasterOptions(gap: 0.005, maxIterations: excess.count, repairInterval: 1_000)
    let probe = CreepingProbe(excess: excess)
    let outcome = LagrangianMaster.run(problem: probe, start: [0], options: options)
    #expect(outcome.iterations == excess.count && !outcome.bestPrimal.isFinite)
    #expect(probe.repairedAt == [1, 7, 7])
    options.closerAfterFailedRepair = 1
    let eager = CreepingProbe(excess: excess)
    _ = LagrangianMaster.run(problem: eager, start: [0], options: options)
    #expect(eager.repairedAt == [1, 2, 3, 4, 5, 6, 7, 7])
}

/// A prices-only run (a sample's, starting a larger solve) assembles and repairs nothing, runs to its
/// iteration cap, and returns the average of its last `averagedIterations` prices, not one swing's.
@Test func pricesOnlyRunRepairsNothingAndAveragesItsLastPrices() {
    let probe = SwingingProbe()
    var options = MasterOptions(gap: 0.005, maxIterations: 9)
    options.pricesOnly = true
    var seen: [Double] = []
    let outcome = LagrangianMaster.run(problem: probe, start: [0], options: options, onIteration: { seen.append($0.prices[0]) })
    #expect(probe.repairs == 0 && probe.assemblies == 0)
    #expect(outcome.iterations == 9 && outcome.stopReason == .iterationLimit)
    #expect(!outcome.bestPrimal.isFinite)
    let average = seen.suffix(options.averagedIterations).reduce(0, +) / Double(options.averagedIterations)
    #expect(Set(seen.suffix(4)).count > 1, "the price swings")
    #expect(abs(outcome.bestPrices[0] - average) <= 1e-12 * max(1, average))
}

/// Asked for each price's highest (a small sample's, SampledStart.swift), a prices-only run returns the
/// largest of its last `averagedIterations` prices, above their average where the price swings.
@Test func pricesOnlyRunCanReturnTheHighestOfItsLastPrices() {
    let probe = SwingingProbe()
    var options = MasterOptions(gap: 0.005, maxIterations: 9)
    options.pricesOnly = true
    options.pricesTakeHighest = true
    var seen: [Double] = []
    let outcome = LagrangianMaster.run(problem: probe, start: [0], options: options, onIteration: { seen.append($0.prices[0]) })
    let last = seen.suffix(options.averagedIterations)
    let average = last.reduce(0, +) / Double(last.count)
    #expect(abs(outcome.bestPrices[0] - last.max()!) <= 1e-12 * max(1, last.max()!))
    #expect(outcome.bestPrices[0] > average)
}
