// The synchronous solver the CLI, the benchmark and the session call: master + inventory problem +
// a final evaluation of the kept plan into a `SolveResult`.

import Dispatch
import EchelonModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a re-solve starts: the last prices and, if there is one, the last plan.
public struct WarmStart: Sendable {
    public var prices: Prices
    public var plan: Plan?
    /// The relaxation's solution at `prices`, when the solve kept it: after a what-if that changes only
    /// limits it is still the minimum there, so the re-solve's first relaxation need not be solved.
    public var relaxation: CarriedRelaxation?
    /// `plan`'s evaluation, when the solve that returned it kept one.
    public var planEvaluation: PlanEvaluation?
    public init(prices: Prices, plan: Plan?) {
        self.prices = prices
        self.plan = plan
    }

    /// The final prices and plan of a solve.
    public init(_ result: SolveResult) {
        prices = Prices(
            storage: result.nodes.map(\.storagePrice), outbound: result.nodes.map(\.outboundPrice),
            inbound: result.nodes.map(\.inboundPrice), service: result.speeds.map(\.price))
        plan = result.plan
        relaxation = result.relaxation
        planEvaluation = result.planEvaluation
    }
}

/// Every product's minimum at a solve's best dual prices (base stock per position and vendor, and its
/// evaluation there), and what the scenario it was solved for looks like without its limits
/// (`Scenario.limitsFreeDigest`).
public struct CarriedRelaxation: Sendable {
    let prices: [Double]
    let stocks: [Int32]
    let vendors: [Int32]
    /// The fixed point's fill rates per position there, where its evaluation again starts (single
    /// precision: a start only, 4 bytes a position; a zero starts that node from the usual guess).
    let fills: [Float]
    let exact: Bool
    /// Per product, by how much its priced cost there is to be counted below its plan's (`InventoryProblem.boundSlack`);
    /// empty when no product was kept unsolved.
    let boundSlack: [Double]
    let digest: Int
    /// The relaxation's evaluation as the solve that kept it recorded it: use per position (single
    /// precision: the repair and the assembly pack to a millionth inside every limit, far above its
    /// rounding), and per product the cost, the priced cost its dual value counted, and the missed units per
    /// speed. Only limits may differ where it is carried, so no product needs evaluating again. (At 100 k
    /// products the carried relaxation's evaluation was 100 000 of a warm re-solve's 311 287 evaluations.)
    /// Empty: evaluated again from the fill rates.
    var storageUse: [Float] = []
    var outboundUse: [Float] = []
    var inboundUse: [Float] = []
    var cost: [Double] = []
    var pricedCost: [Double] = []
    var missed: [Double] = []

    var hasEvaluation: Bool { !storageUse.isEmpty }
}

/// A plan's final evaluation (`Solver.evaluatePlan`) per position and product, kept with a solve's
/// result for the next re-solve. After a what-if that changes only limits a product with the same plan
/// evaluates to the same figures, so the re-solve's starting plan and its own final evaluation copy them
/// instead of evaluating again. Double precision: a copied product's figures are its evaluation's own, to
/// the bit, so a plan's reported figures still depend on the plan alone.
public final class PlanEvaluation: @unchecked Sendable {
    /// `Scenario.limitsFreeDigest` of the scenario evaluated.
    let digest: Int
    /// The plan evaluated (shared with the result's, not copied; set once, by `Solver.evaluatePlan`
    /// when it has built it): a product's figures are copied only where another plan is this one.
    fileprivate(set) var plan: Plan
    /// Per position: storage (cube × expected on hand), outbound and inbound use.
    let storageUse: SharedBuffer<Double>
    let outboundUse: SharedBuffer<Double>
    let inboundUse: SharedBuffer<Double>
    /// Per product: the cost terms (`CostBreakdown.terms`) and the missed units per speed.
    let terms: SharedBuffer<Double>
    let missed: SharedBuffer<Double>
    /// Per product and one past the last: its first row in the plan's positions.
    let firstRow: SharedBuffer<Int>

    static let termCount = CostBreakdown.termCount
    /// A solve keeps its plan's evaluation (24 bytes a position) up to this size: at 1 M products
    /// (26 M positions) it would hold 0.6 GB more, twice during a re-solve, beside the carried relaxation.
    static let budgetBytes = 400_000_000

    static func isKept(positions: Int) -> Bool { positions * 3 * MemoryLayout<Double>.stride <= budgetBytes }

    init(digest: Int, plan: Plan, positions: Int, products: Int, speedCount: Int) {
        self.digest = digest
        self.plan = plan
        storageUse = SharedBuffer(repeating: 0, count: positions)
        outboundUse = SharedBuffer(repeating: 0, count: positions)
        inboundUse = SharedBuffer(repeating: 0, count: positions)
        terms = SharedBuffer(repeating: 0, count: products * Self.termCount)
        missed = SharedBuffer(repeating: 0, count: products * speedCount)
        firstRow = SharedBuffer(repeating: 0, count: products + 1)
    }

    var positionCount: Int { storageUse.count }
    var productCount: Int { firstRow.count - 1 }

    /// Product p's cost, summed as `CostBreakdown.total` sums it.
    func cost(of p: Int) -> Double {
        CostBreakdown(terms: (p * Self.termCount..<(p + 1) * Self.termCount).lazy.map { self.terms[$0] }).total
    }

    /// Whether it evaluated a scenario that differs from `model`'s in limits only, laid out as `positions`.
    func fits(_ model: PlanningModel, positions: Int) -> Bool {
        let products = model.scenario.products.count
        return positionCount == positions && productCount == products && plan.vendorChoice.count == products
            && firstRow[products] == plan.positions.count && digest == model.limitsFreeDigest
    }
}

/// Statistics of the last solve, for the benchmark.
public struct SolveStatistics: Sendable {
    public var subproblemsSolved = 0
    public var repairEvaluations = 0
    /// Product evaluations (each a λ ↔ A fixed point) and fixed-point sweeps, over the whole solve.
    public var evaluations = 0
    public var sweeps = 0
    /// Of `evaluations`, those of the sample whose prices started the solve (SampledStart.swift).
    public var sampleEvaluations = 0
    /// Repair rounds whose moves could overfill other capacities (every other move was refused).
    public var overfillRepairRounds = 0
    public init() {}

    /// Adds a later phase's work (the capacities-first one).
    mutating func add(_ other: SolveStatistics) {
        subproblemsSolved += other.subproblemsSolved
        repairEvaluations += other.repairEvaluations
        evaluations += other.evaluations
        sweeps += other.sweeps
        overfillRepairRounds += other.overfillRepairRounds
    }
}

public struct Solver: Sendable {
    public var method: MasterMethod
    public var repairInterval: Int
    /// A cold solve of at least this many products starts from the prices of a sample of them
    /// (SampledStart.swift); 0 (or less) never samples.
    public var sampledStartThreshold: Int
    /// Products in that sample at most (about: every template is represented, however small); never more
    /// than one in `minimumSampleStride`.
    public var sampleSize: Int
    /// Only prices are wanted (the sample's solve): the master assembles and repairs no plan.
    var pricesOnly = false
    /// The result carries the best dual point's relaxation for a warm re-solve (`SolveResult.relaxation`).
    /// A solve that is not followed by one (the `solve` command) need not keep it.
    public var carriesRelaxation = true
    /// Those prices are each one's highest over the last iterations, not their average (`MasterOptions.pricesTakeHighest`).
    var pricesTakeHighest = false
    /// The share of a raised capacity's use the products kept unsolved may hold in a re-solve's last,
    /// price-moving relaxation (`defaultStaleStepKeptUseShare`; `warmKeptUseShare` to compare, in tests).
    var staleStepKeptUseShare = Solver.defaultStaleStepKeptUseShare
    /// A relaxation at a sample's prices this close to every limit is repaired at once (the whole's
    /// default is 5 %): those prices are near the whole's, so the swing of its relaxation is the only
    /// distance left. (At 10 k products, from a sample's prices, a first relaxation 8 % over was repaired
    /// to a gap of 0.42 %; at 5 % the solve took two more relaxations. On a cold start from zero prices,
    /// repairs from 10 % failed and took the bundled sample from 4.9 to 8.6 s.)
    static let sampledStartCloseEnoughToRepair = 0.1
    /// The same for a sparse sample's prices (one product in `highestPricesFromStride` or fewer): there
    /// the whole is large, and a relaxation of it costs about what a repair does, but the next one is
    /// rarely closer. (At 100 k products, seed 2, the first relaxation was 10.9 % short of the two-day
    /// target and 7.2 % over SSD-CHI's outbound, the second 9.9 % and 7.0 %: a 5 s relaxation for
    /// nothing. Repaired at once the solve took 24.5 s instead of 29.3 s, gap 0.19 %: the repair closed
    /// the gap, and the solve stopped there, the sample's prices its shadow prices (the step a warm start's
    /// stale prices must take, `pricesStale` in the master, goes by the same threshold; the sample's prices
    /// are this scenario's, not a changed one's). Seed 3's first,
    /// 24.5 % short of the one-day target, is left alone: repaired at 0.3 its repair failed after
    /// 28 s.)
    static let sparseSampledStartCloseEnoughToRepair = 0.2
    /// The products kept unsolved while capacity prices only rose may understate a relaxation's value by
    /// this share of the gap asked for (`InventoryProblem.raisedKeepShare`).
    static let raisedKeepShareOfGap = 0.05
    /// The same share, and the kept products' share of a raised capacity's use (`InventoryProblem.keptUseShare`),
    /// in a re-solve from a plan: its prices start near the changed optimum, so most products' minima
    /// barely move. At 100 k products after FC-EWR's storage −20 % (from a cold solve that stopped at
    /// its second iteration) the re-solve took 491 532 evaluations at 0.05 and 0.25, 392 759 at 0.2 and
    /// 0.25, 311 287 at 0.2 and 0.5; the bundled sample 15 137, 15 010, 16 649; 10 k 52 017, 51 486, 50 762.
    static let warmRaisedKeepShareOfGap = 0.2
    static let warmKeptUseShare = 0.5
    /// The kept products' share in a re-solve's last relaxation, run only to move stale prices
    /// (`InventoryProblem.staleStepKeptUseShare`). FC-EWR's storage −20 % (kept everywhere in the warm
    /// re-solve; the same plans and gaps): 100 k warm evaluations seed 1 184 442 at 0.5 → 157 351 at 0.75 →
    /// 143 243 at 1, seed 2 223 475 → 198 551 → 192 076, seed 3 120 077 → 103 944 → 94 346; the bundled
    /// sample's 60 % cut kept its stepped prices at 0.75 (bound gap 0.111 → 0.120 %) and not at 1 (0.179 %).
    /// (Kept in every relaxation, both took the 95 % cut from 1.90 M evaluations to 2.5–2.6 M.)
    static let defaultStaleStepKeptUseShare = 0.75
    /// `MasterOptions.targetAboveBound` from a sample's prices.
    static let sampledStartTargetAboveBound = 0.0005

    /// Cold solves of this many products or more start from a sample's prices. On the bundled sample,
    /// four generated 2 500-product scenarios and a 5 000-product one, a third of the products solved
    /// first took the solves to a 0.5 % gap in 14.3 s together against 18.1 s from zero prices (1–3
    /// iterations of the whole instead of 7–15; one of the six slower, 3.57 s against 2.21 s); a sample
    /// of a quarter or a half was slower on some (docs/benchmarks.md, eleventh session).
    public static let defaultSampledStartThreshold = 2_000
    /// A sample holds at most one product in this many.
    static let minimumSampleStride = 3

    public init(
        method: MasterMethod = .adaptive, repairInterval: Int = 5,
        sampledStartThreshold: Int = Solver.defaultSampledStartThreshold, sampleSize: Int = 2_500
    ) {
        self.method = method
        self.repairInterval = repairInterval
        self.sampledStartThreshold = sampledStartThreshold
        self.sampleSize = sampleSize
    }

    /// Worker threads for `limits.threads` (0: every core).
    public static func threadCount(_ requested: Int) -> Int {
        if requested > 0 { return requested }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    public func solve(
        scenario: Scenario, limits: SolveLimits, warmStart: WarmStart? = nil,
        progress: (SolverSnapshot) -> Void = { _ in }, cancel: () -> Bool = { false }
    ) -> SolveResult {
        var statistics = SolveStatistics()
        let model = PlanningModel(scenario: scenario)
        MemoryTrace.mark("model built")
        return solve(
            model: model, limits: limits, warmStart: warmStart, statistics: &statistics,
            progress: progress, cancel: cancel)
    }

    public func solve(
        model: PlanningModel, limits: SolveLimits, warmStart: WarmStart? = nil, statistics: inout SolveStatistics,
        progress: (SolverSnapshot) -> Void = { _ in }, cancel: () -> Bool = { false }
    ) -> SolveResult {
        let threads = Self.threadCount(limits.threads)
        let nodeCount = model.nodeCount, speedCount = model.speedCount
        // The last solve's buffers this one's master did not take are unmapped once it is done, before the
        // plan's final evaluation (a sample's solve, inside this one, leaves them: this one's stores come
        // after it).
        let retainedMark = RetainedMappings.shared.mark()
        var history: [SolverSnapshot] = []
        // A large cold solve starts from a sample's; its time counts in every second reported.
        var start = warmStart
        var sampleSeconds = 0.0
        var sampleStatistics = SolveStatistics()
        var sampleStride = 0
        var masterLimits = limits
        if start == nil && !cancel(), let sampled = sampledStart(model: model, limits: limits) {
            start = WarmStart(prices: sampled.prices, plan: nil)
            sampleSeconds = sampled.seconds
            sampleStatistics = sampled.statistics
            sampleStride = sampled.stride
            masterLimits.timeLimit = max(0, limits.timeLimit - sampleSeconds)
        }
        // Iterations and seconds of the runs before the present one (and the sample's seconds), which its
        // snapshots count on from, and the targets left out so far (below).
        var iterationsBefore = 0
        var secondsBefore = sampleSeconds
        var leftOut = [Bool](repeating: false, count: speedCount)
        func record(_ step: MasterIteration) {
            var snapshot = Self.snapshot(step, model: model)
            snapshot.iteration += iterationsBefore
            snapshot.seconds += secondsBefore
            for s in 0..<speedCount { snapshot.speeds[s].targetLeftOut = leftOut[s] }
            history.append(snapshot)
            progress(snapshot)
        }
        var run = runMaster(
            model: model, limits: masterLimits, threads: threads, warmStart: start, sampleStride: sampleStride,
            abandonWithoutPlanAfter: pricesOnly ? .infinity : Self.capacitiesFirstAfterShareOfTime * masterLimits.timeLimit,
            statistics: &statistics, cancel: cancel, iteration: record)
        // The whole solve's iterations and seconds, over every run (a run given back below included).
        var iterations = run.outcome.iterations
        var seconds = sampleSeconds + run.outcome.seconds
        // Capacities first: when a run ends (iteration cap, time limit, or `capacitiesFirstAfterShareOfTime`
        // of it) with no plan meeting every limit and its kept plan breaks a capacity, the targets that plan
        // misses (all that are left, if it misses none) are left out and the problem is solved again, cold,
        // in the time left: the plan returned keeps every capacity and misses targets rather than the other
        // way round. (Closing DC-ABE in the bundled sample, the plan at the iteration cap broke four
        // capacities, DC-MEM's and FC-ORD's outbound up to 78 % over; with the target left out, 18 more
        // iterations, 1 s.) Each run has the iteration cap of its own. One clock, from the first run's start,
        // counts the time between runs too (a model to build, stores to allocate).
        let firstRunStart = DispatchTime.now().uptimeNanoseconds - UInt64(max(0, run.outcome.seconds) * 1e9)
        func secondsLeft() -> Double {
            masterLimits.timeLimit - Double(DispatchTime.now().uptimeNanoseconds - firstRunStart) / 1e9
        }
        while !pricesOnly, !run.outcome.bestPrimal.isFinite,
            [.iterationLimit, .timeLimit, .noPlanInTime].contains(run.outcome.stopReason),
            Self.capacityExcess(model: model, use: run.outcome.primalUse) > Self.capacityTolerance,
            !limits.timeLimit.isFinite || secondsLeft() > Self.capacitiesFirstShareOfTime * limits.timeLimit,
            let dropping = Self.targetsToLeaveOut(model: model, use: run.outcome.primalUse, leftOut: leftOut), !cancel()
        {
            let previous = (run: run, leftOut: leftOut)
            for s in dropping { leftOut[s] = true }
            var relaxed = model.scenario
            for s in 0..<speedCount where leftOut[s] { relaxed.speeds[s].targetFillRate = 0 }
            let relaxedModel = PlanningModel(scenario: relaxed)
            iterationsBefore = iterations
            if MemoryTrace.isEnabled { MemoryTrace.mark("no plan met every limit: targets \(dropping) left out") }
            var phaseLimits = limits
            phaseLimits.timeLimit = secondsLeft()
            // A cold start (from a sample's prices where the solve is large enough): the last prices chased
            // the targets left out, and from them the bound started millions below the plans (closing FC-MIA:
            // a gap of 4 500 % at the time limit) and the plan came late or not at all (FC-ATL).
            var phaseStart: WarmStart? = nil
            var phaseStride = 0
            if let sampled = sampledStart(model: relaxedModel, limits: phaseLimits) {
                phaseStart = WarmStart(prices: sampled.prices, plan: nil)
                phaseStride = sampled.stride
                statistics.add(sampled.statistics)
            }
            phaseLimits.timeLimit = secondsLeft()
            secondsBefore = masterLimits.timeLimit - phaseLimits.timeLimit + sampleSeconds
            var phaseStatistics = SolveStatistics()
            run = runMaster(
                model: relaxedModel, limits: phaseLimits, threads: threads, warmStart: phaseStart, sampleStride: phaseStride,
                abandonWithoutPlanAfter: Self.capacitiesFirstAfterShareOfTime * phaseLimits.timeLimit,
                statistics: &phaseStatistics, cancel: cancel, iteration: record)
            statistics.add(phaseStatistics)
            iterations += run.outcome.iterations
            seconds = secondsBefore + run.outcome.seconds
            // A run cancelled or cut short before it had a plan as close to the capacities as the last one's
            // gives that one back (a cancel returns the run's relaxation unrepaired).
            if !run.outcome.bestPrimal.isFinite
                && (run.outcome.stopReason == .cancelled
                    || Self.capacityExcess(model: model, use: run.outcome.primalUse)
                        > Self.capacityExcess(model: model, use: previous.run.outcome.primalUse))
            {
                let stopReason = run.outcome.stopReason
                (run, leftOut) = previous
                run.outcome.stopReason = stopReason
                break
            }
        }
        if !pricesOnly { RetainedMappings.shared.unmap(releasedBefore: retainedMark) }
        // The sample's work counts in the solve's.
        statistics.sampleEvaluations = sampleStatistics.evaluations
        statistics.evaluations += sampleStatistics.evaluations
        statistics.sweeps += sampleStatistics.sweeps
        statistics.subproblemsSolved += sampleStatistics.subproblemsSolved
        var outcome = run.outcome
        outcome.seconds = seconds
        outcome.iterations = iterations
        let finalPrices = Prices(flattened: outcome.bestPrices, nodeCount: nodeCount, speedCount: speedCount)
        let final = Self.evaluatePlan(
            model: model, store: run.plan, offsets: run.offsets, threads: threads, previous: warmStart?.planEvaluation,
            records: carriesRelaxation && !pricesOnly && PlanEvaluation.isKept(positions: run.offsets[model.scenario.products.count]))
        if MemoryTrace.isEnabled { MemoryTrace.mark("plan evaluated (\(final.copied) products' evaluations copied from the last plan's)") }

        var nodes: [NodeUsage] = []
        for n in 0..<nodeCount {
            nodes.append(
                NodeUsage(
                    storagePrice: finalPrices.storage[n], outboundPrice: finalPrices.outbound[n],
                    inboundPrice: finalPrices.inbound[n], storageUsed: final.use[n], outboundUsed: final.use[nodeCount + n],
                    inboundUsed: final.use[2 * nodeCount + n]))
        }
        var speeds: [SpeedService] = []
        for s in 0..<speedCount {
            let demand = model.speedDemand[s]
            let fill = demand > 0 ? 1 - final.use[3 * nodeCount + s] / demand : 1
            speeds.append(
                SpeedService(
                    price: finalPrices.service[s], plannedFillRate: fill, reachableFillRate: model.reachableFillRate[s],
                    targetLeftOut: leftOut[s]))
        }
        let violations = Self.violations(model: model, nodes: nodes, speeds: speeds)
        let primal = final.costs.total
        let gap = primal.isFinite && abs(primal) > 0 ? max(0, (primal - outcome.dualBound) / abs(primal)) : .infinity
        // The gap is the plan's to the bound of the problem the master solved last, which leaves out targets no
        // plan can meet and those left out for the capacities: it is reported when those are all the plan misses.
        let fits = violations.allSatisfy { $0.reachable != nil || $0.leftOutForCapacities }
        var result = SolveResult(
            plan: final.plan, costs: final.costs, dualBound: outcome.dualBound, gap: fits ? gap : .infinity,
            certified: outcome.certified, iterations: outcome.iterations, seconds: outcome.seconds, threads: threads,
            stopReason: outcome.stopReason, nodes: nodes, speeds: speeds, violations: violations, history: history)
        result.relaxation = run.relaxation
        result.planEvaluation = final.evaluation
        return result
    }

    /// The capacities-first phase starts only while more than this share of the time limit is left.
    static let capacitiesFirstShareOfTime = 0.05
    /// A run with no plan meeting every limit by this share of its time limit gives way to it
    /// (`MasterOptions.abandonWithoutPlanAfter`). Closing FC-ATL in the bundled sample under a 30 s limit,
    /// the first run had no plan at the limit and the capacities-first phase no time left.
    static let capacitiesFirstAfterShareOfTime = 0.6

    /// A plan over a capacity by more than this share of it breaks it (`violations` reports it).
    static let capacityTolerance = 1e-6

    /// How far `use` is over the open nodes' capacities at worst, relative to each (0 when it fits them all).
    /// A kept plan within them that misses targets is returned as it is: closing SSD-YYZ or FC-SFO, it missed
    /// a target by 0.2 and 0.05 points, where leaving the target out planned it 15 points lower.
    static func capacityExcess(model: PlanningModel, use: [Double]) -> Double {
        let limits = model.capacityLimits
        guard use.count >= limits.count else { return 0 }
        var worst = 0.0
        for (r, limit) in limits.enumerated() where limit.isFinite { worst = max(worst, (use[r] - limit) / max(1, limit)) }
        return worst
    }

    /// The targets in force (reachable, not left out yet) that `use` misses, or, where it misses none (its
    /// capacities are what it breaks), all of them; nil when none is left.
    static func targetsToLeaveOut(model: PlanningModel, use: [Double], leftOut: [Bool]) -> [Int]? {
        let base = 3 * model.nodeCount
        guard use.count == base + model.speedCount else { return nil }
        let inForce = (0..<model.speedCount).filter { s in
            !leftOut[s] && !model.isUnreachable(speed: s) && model.speedDemand[s] > 0 && model.scenario.speeds[s].targetFillRate > 0
        }
        let missed = inForce.filter { s in
            let allowed = (1 - model.scenario.speeds[s].targetFillRate) * model.speedDemand[s]
            return use[base + s] > allowed + 1e-9 * max(1, allowed)
        }
        let leaving = missed.isEmpty ? inForce : missed
        return leaving.isEmpty ? nil : leaving
    }

    /// Runs the master on a fresh inventory problem and returns the plan it kept (base stocks and
    /// vendors only). The problem and its working stores (≈ 1.6 kB per product) are freed on return, so
    /// the final evaluation and the output do not hold them as well.
    private func runMaster(
        model: PlanningModel, limits: SolveLimits, threads: Int, warmStart: WarmStart?, sampleStride: Int,
        abandonWithoutPlanAfter: Double = .infinity, statistics: inout SolveStatistics, cancel: () -> Bool,
        iteration: (MasterIteration) -> Void
    ) -> (outcome: MasterOutcome, plan: SolutionStore, offsets: [Int], relaxation: CarriedRelaxation?) {
        let problem = InventoryProblem(model: model, threads: threads)
        problem.keepsBestRelaxation = carriesRelaxation && !pricesOnly
        if warmStart?.plan != nil {
            problem.raisedKeepShare = Self.warmRaisedKeepShareOfGap * limits.gap
            problem.keptUseShare = Self.warmKeptUseShare
            problem.staleStepKeptUseShare = staleStepKeptUseShare
        } else {
            problem.raisedKeepShare = Self.raisedKeepShareOfGap * limits.gap
        }
        MemoryTrace.mark("solver stores allocated")
        var start = [Double](repeating: 0, count: problem.resourceCount)
        var carried = false
        if let warm = warmStart {
            if warm.prices.storage.count == model.nodeCount && warm.prices.service.count == model.speedCount {
                start = warm.prices.flattened
            }
            if let plan = warm.plan { problem.warmStart(from: plan) }
            if let relaxation = warm.relaxation, relaxation.prices == start, relaxation.digest == model.limitsFreeDigest {
                carried = problem.carry(relaxation)
            }
            // The plan's evaluation serves only with a carried relaxation (`evaluateCarried`), and only where
            // the plan is the one it evaluated, product by product (`WarmStart`'s plan may have been replaced).
            if carried, warm.plan != nil, let evaluation = warm.planEvaluation,
                evaluation.fits(model, positions: problem.offsets[problem.productCount]),
                (0..<problem.productCount).allSatisfy({ p in
                    Self.samePlan(
                        p, offset: problem.offsets[p], template: model.templates[Int(model.templateOfProduct[p])],
                        store: problem.repaired, model: model, as: evaluation)
                })
            {
                problem.warmPlanEvaluation = evaluation
            }
        }
        var options = MasterOptions(
            method: method, gap: limits.gap, maxIterations: max(1, limits.maxIterations), timeLimit: limits.timeLimit,
            repairInterval: repairInterval)
        options.pricesOnly = pricesOnly
        options.pricesTakeHighest = pricesTakeHighest
        if sampleStride > 0 {
            options.closeEnoughToRepair = sampleStride >= Self.highestPricesFromStride
                ? Self.sparseSampledStartCloseEnoughToRepair : Self.sampledStartCloseEnoughToRepair
            options.targetAboveBound = Self.sampledStartTargetAboveBound
        }
        options.firstStepMovesOnlyFarOff = carried
        options.abandonWithoutPlanAfter = abandonWithoutPlanAfter
        let outcome = LagrangianMaster.run(problem: problem, start: start, options: options, cancel: cancel, onIteration: iteration)
        MemoryTrace.mark("master done")
        statistics.subproblemsSolved = problem.subproblemsSolved
        statistics.repairEvaluations = problem.repairEvaluations
        statistics.overfillRepairRounds = problem.overfillRoundsRun
        (statistics.evaluations, statistics.sweeps) = problem.evaluationCounts
        let plan: SolutionStore
        if problem.hasBest {
            plan = problem.best
        } else {
            plan = SolutionStore(
                positions: problem.offsets[problem.productCount], products: problem.productCount, speedCount: model.speedCount,
                contents: .planOnly)
            plan.copy(from: problem.current)
        }
        let relaxation = pricesOnly ? nil : problem.bestRelaxation(prices: outcome.bestPrices)
        return (outcome, plan, problem.offsets, relaxation)
    }

    /// Constraints a plan's use breaks, relative tolerance 1e-6: the repair fills a capacity to within
    /// 1e-9 of its limit, and the plan's evaluation from scratch reaches its fixed point from another
    /// start, equal to about 1e-9 — a millionth of a capacity is not a violation worth a plan.
    static func violations(model: PlanningModel, nodes: [NodeUsage], speeds: [SpeedService]) -> [Violation] {
        var result: [Violation] = []
        let tolerance = capacityTolerance
        for (n, node) in model.scenario.nodes.enumerated() where PlanningModel.isOpen(node) {
            let checks: [(ConstraintKind, Double, Double)] = [
                (.storage, nodes[n].storageUsed, node.storageCapacity),
                (.outbound, nodes[n].outboundUsed, node.outboundCapacity),
                (.inbound, nodes[n].inboundUsed, node.inboundCapacity),
            ]
            for (kind, used, limit) in checks where limit.isFinite && used > limit + tolerance * max(1, limit) {
                result.append(Violation(kind: kind, index: n, used: used, limit: limit))
            }
        }
        for (s, speed) in model.scenario.speeds.enumerated() where model.speedDemand[s] > 0 {
            if speeds[s].plannedFillRate < speed.targetFillRate - tolerance {
                result.append(
                    Violation(
                        kind: .service, index: s, used: speeds[s].plannedFillRate, limit: speed.targetFillRate,
                        reachable: model.isUnreachable(speed: s) ? model.reachableFillRate[s] : nil,
                        leftOutForCapacities: speeds[s].targetLeftOut))
            }
        }
        return result
    }

    static func snapshot(_ step: MasterIteration, model: PlanningModel) -> SolverSnapshot {
        let nodeCount = model.nodeCount
        var nodes: [NodeUsage] = []
        nodes.reserveCapacity(nodeCount)
        for n in 0..<nodeCount {
            nodes.append(
                NodeUsage(
                    storagePrice: step.prices[n], outboundPrice: step.prices[nodeCount + n],
                    inboundPrice: step.prices[2 * nodeCount + n], storageUsed: step.use[n],
                    outboundUsed: step.use[nodeCount + n], inboundUsed: step.use[2 * nodeCount + n]))
        }
        let speeds = (0..<model.speedCount).map { s in
            let demand = model.speedDemand[s]
            return SpeedService(
                price: step.prices[3 * nodeCount + s],
                plannedFillRate: demand > 0 ? 1 - step.use[3 * nodeCount + s] / demand : 1,
                reachableFillRate: model.reachableFillRate[s])
        }
        return SolverSnapshot(
            iteration: step.iteration, seconds: step.seconds, dualBound: step.dualBound, bestPrimal: step.bestPrimal,
            gap: step.gap, step: step.step, maxViolation: step.maxViolation, nodes: nodes, speeds: speeds)
    }

    /// Evaluates the kept plan product by product (in parallel, reduced in product order).
    ///
    /// A position is kept where the base stock is positive, which the store already says, so each
    /// chunk's first row is known before evaluating and every worker writes its rows straight into the
    /// plan's array: the plan (48 bytes a position, ≈ 10 positions a product) is never held twice.
    ///
    /// With `previous` (the last solve's plan evaluation, of a scenario that differs in limits only) a
    /// product whose plan is the one evaluated there is copied from there; `records` keeps this evaluation
    /// for the next re-solve.
    static func evaluatePlan(
        model: PlanningModel, store: SolutionStore, offsets: [Int], threads: Int,
        previous: PlanEvaluation? = nil, records: Bool = false
    ) -> (plan: Plan, costs: CostBreakdown, use: [Double], evaluation: PlanEvaluation?, copied: Int) {
        let productCount = model.scenario.products.count
        let nodeCount = model.nodeCount, speedCount = model.speedCount
        let chunkSize = InventoryProblem.chunkSize
        let chunkCount = (productCount + chunkSize - 1) / chunkSize
        let termCount = PlanEvaluation.termCount
        let width = 3 * nodeCount + speedCount + termCount
        let partial = SharedBuffer<Double>(repeating: 0, count: max(1, chunkCount * width))
        var chunkFirstRow = [Int](repeating: 0, count: chunkCount + 1)
        for chunk in 0..<chunkCount {
            var stocked = 0
            for i in offsets[chunk * chunkSize]..<offsets[min(productCount, (chunk + 1) * chunkSize)] where store.stocks[i] > 0 {
                stocked += 1
            }
            chunkFirstRow[chunk + 1] = chunkFirstRow[chunk] + stocked
        }
        let rowCount = chunkFirstRow[chunkCount]
        let workers = max(1, min(threads, chunkCount))
        let workspaces = (0..<workers).map { _ in ProductWorkspace(model: model) }
        let reusable = previous.flatMap { $0.fits(model, positions: offsets[productCount]) ? $0 : nil }
        let recorded = records
            ? PlanEvaluation(
                digest: model.limitsFreeDigest, plan: Plan(vendorChoice: [], positions: []), positions: offsets[productCount],
                products: productCount, speedCount: speedCount) : nil
        let copiedPerWorker = SharedBuffer<Int>(repeating: 0, count: workers)
        let positions = [PlanPosition](unsafeUninitializedCapacity: rowCount) { rows, initializedCount in
            parallelFor(workers: workers) { worker in
                let w = workspaces[worker]
                var chunk = worker
                while chunk < chunkCount {
                    let base = chunk * width
                    var row = chunkFirstRow[chunk]
                    for p in (chunk * chunkSize)..<min(productCount, (chunk + 1) * chunkSize) {
                        let offset = offsets[p]
                        let template = model.templates[Int(model.templateOfProduct[p])]
                        recorded?.firstRow[p] = row
                        // A product's figures, copied or evaluated, go into the chunk's sums and the record alike.
                        func add(position i: Int, storage: Double, outbound: Double, inbound: Double) {
                            let n = Int(template.nodes[i])
                            partial[base + n] += storage
                            partial[base + nodeCount + n] += outbound
                            partial[base + 2 * nodeCount + n] += inbound
                            if let recorded {
                                recorded.storageUse[offset + i] = storage
                                recorded.outboundUse[offset + i] = outbound
                                recorded.inboundUse[offset + i] = inbound
                            }
                        }
                        func add(missed: Double, speed s: Int) {
                            partial[base + 3 * nodeCount + s] += missed
                            recorded?.missed[p * speedCount + s] = missed
                        }
                        func add(term: Double, _ k: Int) {
                            partial[base + 3 * nodeCount + speedCount + k] += term
                            recorded?.terms[p * termCount + k] = term
                        }
                        if let evaluation = reusable,
                            Self.samePlan(p, offset: offset, template: template, store: store, model: model, as: evaluation)
                        {
                            for r in evaluation.firstRow[p]..<evaluation.firstRow[p + 1] {
                                precondition(row < chunkFirstRow[chunk + 1], "more stocked positions than counted")
                                (rows.baseAddress! + row).initialize(to: evaluation.plan.positions[r])
                                row += 1
                            }
                            for i in 0..<template.nodeCount {
                                add(
                                    position: i, storage: evaluation.storageUse[offset + i], outbound: evaluation.outboundUse[offset + i],
                                    inbound: evaluation.inboundUse[offset + i])
                            }
                            for s in 0..<speedCount { add(missed: evaluation.missed[p * speedCount + s], speed: s) }
                            for k in 0..<termCount { add(term: evaluation.terms[p * termCount + k], k) }
                            copiedPerWorker[worker] += 1
                            continue
                        }
                        w.evaluate(stored: store, product: p, offset: offset)
                        for i in 0..<w.nodeCount {
                            add(position: i, storage: w.cube * w.onHand[i], outbound: w.served[i], inbound: w.inbound[i])
                            if w.baseStock[i] > 0 {
                                precondition(row < chunkFirstRow[chunk + 1], "more stocked positions than counted")
                                (rows.baseAddress! + row).initialize(
                                    to: PlanPosition(
                                        product: Int32(p), node: Int32(template.nodes[i]), baseStock: Int32(w.baseStock[i]),
                                        expectedOnHand: w.onHand[i], outboundPerDay: w.served[i], inboundPerDay: w.inbound[i],
                                        fillRate: w.fill[i]))
                                row += 1
                            }
                        }
                        for s in 0..<speedCount { add(missed: w.missed(speed: s), speed: s) }
                        for (k, term) in w.costs.terms.enumerated() { add(term: term, k) }
                    }
                    precondition(row == chunkFirstRow[chunk + 1], "fewer stocked positions than counted")
                    chunk += workers
                }
            }
            initializedCount = rowCount
        }
        recorded?.firstRow[productCount] = rowCount
        var use = [Double](repeating: 0, count: 3 * nodeCount + speedCount)
        var terms = [Double](repeating: 0, count: termCount)
        var vendors = [Int32](repeating: 0, count: productCount)
        for chunk in 0..<chunkCount {
            let base = chunk * width
            for r in 0..<use.count { use[r] += partial[base + r] }
            for k in 0..<termCount { terms[k] += partial[base + use.count + k] }
        }
        for p in 0..<productCount {
            vendors[p] = Int32(store.vendorChoice(of: p, model: model))
        }
        let costs = CostBreakdown(terms: terms)
        let copied = (0..<workers).reduce(0) { $0 + copiedPerWorker[$1] }
        let plan = Plan(vendorChoice: vendors, positions: positions)
        recorded?.plan = plan
        return (plan, costs, use, recorded, copied)
    }

    /// Whether product p's plan in `store` is the one `evaluation` evaluated (which `fits` the model): the
    /// same vendor, and a row of the same base stock for each stocked node, in the template's order (as
    /// `evaluatePlan` writes them).
    static func samePlan(
        _ p: Int, offset: Int, template: ProductTemplate, store: SolutionStore, model: PlanningModel, as evaluation: PlanEvaluation
    ) -> Bool {
        guard evaluation.plan.vendorChoice[p] == Int32(store.vendorChoice(of: p, model: model)) else { return false }
        var r = evaluation.firstRow[p]
        let end = evaluation.firstRow[p + 1]
        for i in 0..<template.nodeCount where store.stocks[offset + i] > 0 {
            guard r < end else { return false }
            let position = evaluation.plan.positions[r]
            guard position.node == template.nodes[i], position.baseStock == store.stocks[offset + i] else { return false }
            r += 1
        }
        return r == end
    }
}
