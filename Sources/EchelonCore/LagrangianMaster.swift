// The Lagrangian master (DESIGN §6), generic over any problem that decomposes into blocks coupled by
// `use ≤ limit` constraints. The inventory model, the capacitated multi-item newsvendor and the
// separable test instance all run through this same code.

import Dispatch
import EchelonModel

/// A problem whose coupling constraints `Σ_blocks use ≤ limit` are relaxed with prices.
public protocol DecomposableProblem: AnyObject {
    /// Right-hand sides of the relaxed constraints; `.infinity` marks one that never binds.
    var limits: [Double] { get }
    /// The limits the prices steer towards while the relaxation is not exact: `limits`, or a little
    /// inside them, so that the relaxation's solutions near convergence, which swing around what they
    /// steer to, mostly fit the true limits. The dual bound is always computed against the true
    /// `limits`, so it stays valid.
    var steeringLimits: [Double] { get }
    /// Minimises every block at `prices` and remembers the solution as "the relaxation's".
    func relax(prices: [Double]) -> Relaxation
    /// A primal solution built from the last relaxation's and made to fit the limits where it can.
    func repair() -> PrimalCandidate
    /// The same, stopping early (with what it has) once `DispatchTime.now()` passes `deadline` (uptime ns).
    func repair(deadline: UInt64) -> PrimalCandidate
    /// Keeps the solution of the last `repair` as the best plan so far.
    func keepRepairedAsBest()
    /// The last relaxation's dual value is the best so far (a problem may keep its solution).
    func keepRelaxationAsBestDual()
    /// The next relaxation is the last one, run only because a warm start's prices were stale when the
    /// plan had closed the gap already (a problem may solve it more cheaply).
    func nextRelaxationOnlyMovesStalePrices()
    /// A plan the problem starts from (a warm start's), before any relaxation, possibly repaired; nil
    /// without one. (`InventoryProblem` returns it when it fits unrepaired: a what-if that leaves the
    /// last plan feasible is answered from it at once. One that breaks it is mostly repaired sooner from
    /// the assembled plans of the first iterations; after a limits-only change the plan is repaired
    /// where it stands, in a few rounds.)
    func repairStartingPlan(deadline: UInt64) -> PrimalCandidate?
    /// A primal solution assembled from earlier relaxations' block solutions without solving any block
    /// again (the restricted master), starting its own trial prices at `prices`; it becomes the one
    /// `keepRepairedAsBest` keeps and, when closer to feasible than the relaxation, where the next
    /// `repair` starts. Nil when the problem keeps no earlier solutions.
    func assemble(prices: [Double], deadline: UInt64) -> PrimalCandidate?
}

extension DecomposableProblem {
    public var steeringLimits: [Double] { limits }

    /// Problems whose repair is quick ignore the deadline.
    public func repair(deadline: UInt64) -> PrimalCandidate { repair() }

    public func repairStartingPlan(deadline: UInt64) -> PrimalCandidate? { nil }

    public func keepRelaxationAsBestDual() {}

    public func nextRelaxationOnlyMovesStalePrices() {}

    public func assemble(prices: [Double], deadline: UInt64) -> PrimalCandidate? { nil }
}

/// The blocks' minimum at some prices.
public struct Relaxation: Sendable {
    /// Σ over blocks of (cost + prices · use), before subtracting prices · limits.
    public var pricedValue: Double
    /// Total use per constraint.
    public var use: [Double]
    /// True (unpriced) cost of this solution.
    public var cost: Double
    /// Every block solved to optimality, so the dual value is a valid lower bound.
    public var exact: Bool
    public init(pricedValue: Double, use: [Double], cost: Double, exact: Bool) {
        self.pricedValue = pricedValue
        self.use = use
        self.cost = cost
        self.exact = exact
    }
}

/// A repaired primal solution.
public struct PrimalCandidate: Sendable {
    public var cost: Double
    public var use: [Double]
    public init(cost: Double, use: [Double]) {
        self.cost = cost
        self.use = use
    }
}

/// How the master moves the prices.
public enum MasterMethod: String, Sendable, CaseIterable {
    /// Projected subgradient with Polyak steps towards the best primal, step factor halved on stalls.
    case subgradient
    /// Barahona–Anbil volume algorithm: steps along the violation of an averaged primal, from the best
    /// dual point, with green/yellow/red step control.
    case volume
    /// Projected subgradient with one step size per price (sign-based, Rprop-style): a price whose
    /// constraint keeps the same side of its limit moves 1.2× further each time, one whose constraint
    /// crosses its limit steps back half as far. Constraints of very different sensitivity (a storage
    /// limit a few products fill, a network fill rate every product touches) each find their own scale;
    /// the first step of each price is the Polyak step.
    case adaptive
}

public struct MasterOptions: Sendable {
    public var method: MasterMethod
    public var gap: Double
    public var maxIterations: Int
    /// Seconds.
    public var timeLimit: Double
    /// Repair the relaxation's solution every this many iterations (and whenever it is feasible).
    public var repairInterval: Int
    /// Relative violation tolerated as feasible.
    public var feasibilityTolerance: Double
    /// A relaxation this close to every limit (worst relative violation) is repaired whenever it is the
    /// closest since the last repair. On the bundled sample every repair of a relaxation further off
    /// failed, and each cost as much as several iterations; further off, only the periodic repair runs.
    public var closeEnoughToRepair = 0.05
    /// After a repair that failed, the next one `closeEnoughToRepair` triggers waits for a relaxation or
    /// an assembled plan at most this share of the closest one's distance from fitting since that repair
    /// (the periodic repair still runs). Each nearer-by-a-hair plan was repaired before: after FC-EWR's
    /// storage −95 % the bundled sample's re-solve repaired 25 times in 42 iterations, failing each
    /// (0.3–0.9 s apiece). At 0.8: that re-solve 1.02 M → 0.86 M evaluations (50 iterations, gap 0.19 %
    /// against 0.37 %), the changed scenarios' cold solves after −60 % 0.55 M → 0.40 M (10 k: 2.75 M →
    /// 2.44 M; −80 % 2.25 M → 1.76 M), the −80 % and −90 % re-solves unchanged; at 0.5 the bundled −90 %
    /// cold solve took 0.49 M instead of 0.42 M. No repair in the default benchmark fails, so it is unchanged.
    public var closerAfterFailedRepair = 0.8
    /// Only the prices are wanted (a sample's solve that starts a larger one): no plan is assembled or
    /// repaired, the master runs to its iteration cap, and the prices it returns are the average of the
    /// last `averagedIterations` iterations' (not the best dual point's): the adaptive steps swing a
    /// price around its level, and a small node's storage price taken at one iteration was 0 at the
    /// 100 k sample's best dual point, which put that node 200 % over at the whole's first relaxation.
    /// (By concavity the dual value at the average is at least the average of theirs.)
    public var pricesOnly = false
    public var averagedIterations = 4
    /// A prices-only run returns each price's highest over those iterations instead of their average:
    /// a price set too high leaves its capacity partly unused, which costs the whole a little, where one
    /// set too low overfills it, and repairing that costs more than a relaxation (SampledStart.swift).
    public var pricesTakeHighest = false
    /// Before the first feasible plan the Polyak step aims this fraction above the best dual value. From
    /// zero prices 0.2 %; from prices already near the optimum (a sample's) the bound is within a few
    /// hundredths of a percent of the plan the solve ends with, and a step aimed 0.2 % above overshoots:
    /// at 100 k products the second relaxation put a node's storage 101 % over, and the solve took four
    /// iterations (81 s) where, aimed 0.05 % above, it took two (29 s).
    public var targetAboveBound = 0.002
    /// The start prices are the optimum of a scenario that differs only in some limits (a warm start
    /// whose relaxation was carried over): the first step moves only the prices of constraints more than
    /// `closeEnoughToRepair` over, and holds the others, which are settled already.
    public var firstStepMovesOnlyFarOff = false
    /// Seconds after which a run with no plan meeting every limit yet repairs once (given a tenth of the time
    /// limit) and, unless that plan fits, stops (`StopReason.noPlanInTime`): the solver then leaves out the
    /// targets it misses and solves again in the time left (`Solver`, capacities first). Infinite: runs to
    /// its limits.
    public var abandonWithoutPlanAfter = Double.infinity
    public init(
        method: MasterMethod = .adaptive, gap: Double = 0.005, maxIterations: Int = 200, timeLimit: Double = 60,
        repairInterval: Int = 5, feasibilityTolerance: Double = 1e-9
    ) {
        self.method = method
        self.gap = gap
        self.maxIterations = maxIterations
        self.timeLimit = timeLimit
        self.repairInterval = repairInterval
        self.feasibilityTolerance = feasibilityTolerance
    }
}

/// One iteration of the master, in the problem's units.
public struct MasterIteration: Sendable {
    public var iteration: Int
    public var seconds: Double
    /// Dual value at this iteration's prices.
    public var dualValue: Double
    /// Best dual value so far.
    public var dualBound: Double
    /// Best feasible primal so far (`.infinity` before the first).
    public var bestPrimal: Double
    public var gap: Double
    public var step: Double
    /// Worst relative violation of this iteration's relaxation.
    public var maxViolation: Double
    public var prices: [Double]
    public var use: [Double]
}

public struct MasterOutcome: Sendable {
    /// Prices of the best dual value (the warm start of a re-solve); a prices-only run's averaged prices.
    public var bestPrices: [Double]
    public var dualBound: Double
    public var bestPrimal: Double
    public var gap: Double
    public var iterations: Int
    public var stopReason: StopReason
    /// The best dual value came from an exact relaxation.
    public var certified: Bool
    /// Use of the kept primal solution.
    public var primalUse: [Double]
    public var seconds: Double
}

/// Worst relative excess of `use` over the finite `limits` (0 when everything fits; an absolute excess
/// over a zero limit).
func worstRelativeExcess(_ use: [Double], limits: [Double]) -> Double {
    var worst = 0.0
    for i in 0..<limits.count where limits[i].isFinite { worst = max(worst, relativeExcess(use[i], limit: limits[i])) }
    return worst
}

/// How far `use` is over `limit`, relative to it (negative under it; absolute over a zero limit).
func relativeExcess(_ use: Double, limit: Double) -> Double {
    limit > 1e-12 ? (use - limit) / limit : use - limit
}

/// One sign-based (Rprop) price step: the step grows 1.2× while the constraint stays on the same side of
/// its limit and halves when it crosses; `first` is the step of a price not moved before. Returns the
/// price moved by the step, kept at or above zero.
func signStep(price: Double, side: Double, step: inout Double, lastSide: inout Double, first: () -> Double) -> Double {
    if step == 0 {
        step = first()
    } else if side == -lastSide {
        step *= 0.5
    } else {
        step *= 1.2
    }
    lastSide = side
    return max(0, price + side * step)
}

public enum LagrangianMaster {
    /// Runs the master from `start` prices until the gap, the iteration cap, the time cap or `cancel`.
    public static func run(
        problem: DecomposableProblem, start: [Double], options: MasterOptions,
        cancel: () -> Bool = { false }, onIteration: (MasterIteration) -> Void = { _ in }
    ) -> MasterOutcome {
        let clockStart = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - clockStart) / 1e9 }
        // No repair runs past the time limit. The last one, which must produce the plan when no feasible
        // one was kept, gets a reserve: the loop stops that much early, and the repair gets at least it.
        let limitNanoseconds = options.timeLimit.isFinite ? UInt64(max(0, options.timeLimit) * 1e9) : UInt64.max / 2
        let finalRepairReserve = 0.15 * options.timeLimit
        func repairDeadline(minimumSeconds: Double, reserveSeconds: Double = 0) -> UInt64 {
            let now = DispatchTime.now().uptimeNanoseconds
            let minimum = now + UInt64(max(0, min(minimumSeconds, 1e6)) * 1e9)
            let reserve = UInt64(max(0, min(reserveSeconds, 1e6)) * 1e9)
            return max(minimum, (clockStart &+ limitNanoseconds) &- min(reserve, limitNanoseconds))
        }
        let limits = problem.limits
        let steering = problem.steeringLimits
        let count = limits.count
        precondition(start.count == count, "start prices must match the constraints")
        let active = limits.map { $0.isFinite }
        let scale = limits.map { $0.isFinite && $0 > 1e-12 ? $0 : 1 }
        // Prices in scaled units (price × limit), so every constraint reads `use/limit ≤ 1`.
        var point = (0..<count).map { active[$0] ? max(0, start[$0]) * scale[$0] : 0 }
        func prices(_ scaled: [Double]) -> [Double] { (0..<count).map { scaled[$0] / scale[$0] } }
        func dualValue(_ r: Relaxation, _ p: [Double]) -> Double {
            var value = r.pricedValue
            for i in 0..<count where active[i] { value -= p[i] * limits[i] }
            return value
        }
        // Exact relaxations steer to the limits themselves (the margin would only cost optimality);
        // heuristic ones, whose use swings, to the problem's steering limits.
        var steerTo = limits
        func subgradient(_ use: [Double]) -> [Double] {
            (0..<count).map { active[$0] ? (use[$0] - steerTo[$0]) / scale[$0] : 0 }
        }
        func violation(_ use: [Double]) -> Double { worstRelativeExcess(use, limits: limits) }
        /// Direction with the components that would push a zero price below zero removed.
        func projected(_ direction: [Double], at z: [Double]) -> [Double] {
            (0..<count).map { z[$0] <= 0 && direction[$0] < 0 ? 0 : direction[$0] }
        }
        func norm2(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 } }

        var bestDual = -Double.infinity
        var bestScaled = point
        var certified = false
        var bestPrimal = Double.infinity
        var primalUse = [Double](repeating: 0, count: count)
        var iteration = 0
        var stopReason = StopReason.iterationLimit
        var repairedThisIteration = false
        var closestSinceRepair = Double.infinity
        var lastRepairFailed = false
        /// A prices-only run's last price points (scaled units).
        var recentPoints: [[Double]] = []
        /// The repair at `abandonWithoutPlanAfter` has run.
        var triedBeforeGivingWay = false

        /// The best primal's relative gap to the best dual value (∞ before a feasible plan).
        func relativeGap() -> Double {
            bestPrimal.isFinite ? max(0, (bestPrimal - bestDual) / max(abs(bestPrimal), 1e-12)) : .infinity
        }

        // Subgradient state.
        var theta = 1.0
        var stall = 0
        // Volume state: the centre is the best dual point; `average` is the averaged primal use.
        var average = [Double](repeating: 0, count: count)
        var centreValue = -Double.infinity
        var factor = 0.5
        var alphaMax = 0.1
        var greens = 0, yellows = 0, reds = 0
        var lastDirection = [Double](repeating: 0, count: count)
        var step = 0.0
        // Adaptive state: each price's step (scaled units, 0 until its constraint is first violated) and
        // the side of the limit its constraint was on last time (+1 over, −1 under, 0 unknown).
        var priceStep = [Double](repeating: 0, count: count)
        var lastSide = [Double](repeating: 0, count: count)

        // A starting plan's repair (where the problem repairs it) gets a quarter of the time at most: from a
        // plan far from feasible (a cold solve stopped early) it can take longer than the iterations would
        // (at 100k products it took the whole limit).
        if let candidate = problem.repairStartingPlan(
            deadline: repairDeadline(minimumSeconds: 0, reserveSeconds: 0.75 * options.timeLimit)),
            violation(candidate.use) <= options.feasibilityTolerance
        {
            bestPrimal = candidate.cost
            primalUse = candidate.use
            problem.keepRepairedAsBest()
        }
        while true {
            if cancel() {
                stopReason = .cancelled
                break
            }
            iteration += 1
            if options.pricesOnly {
                recentPoints.append(point)
                if recentPoints.count > max(1, options.averagedIterations) { recentPoints.removeFirst() }
            }
            let p = prices(point)
            let relaxation = problem.relax(prices: p)
            steerTo = relaxation.exact ? limits : steering
            let value = dualValue(relaxation, p)
            let g = subgradient(relaxation.use)
            if value > bestDual {
                bestDual = value
                bestScaled = point
                certified = relaxation.exact
                problem.keepRelaxationAsBestDual()
            }
            let worst = violation(relaxation.use)
            repairedThisIteration = false
            // The plan assembled from every relaxation so far, block by block, costs a fraction of a
            // relaxation and often fits sooner than any single relaxation does. (Its rounds are fixed, not
            // timed, so that the result is the same on any machine and thread count; the time limit stops
            // it all the same.) Once the kept plan closes the gap, neither it nor a repair is needed: that
            // iteration runs only to move a warm start's stale prices (below).
            let gapClosed = relativeGap() <= options.gap || options.pricesOnly
            var assembledWorst = Double.infinity
            if !gapClosed, let assembled = problem.assemble(prices: p, deadline: clockStart &+ limitNanoseconds) {
                assembledWorst = violation(assembled.use)
                if assembledWorst <= options.feasibilityTolerance && assembled.cost < bestPrimal {
                    bestPrimal = assembled.cost
                    primalUse = assembled.use
                    problem.keepRepairedAsBest()
                }
            }
            // Repairing a plan far from feasible is costly and rarely wins: repair when the relaxation is
            // feasible, periodically once it is within 20 % of every limit, and whenever it or the
            // assembled plan (the repair starts from the closer) is the closest to feasible since the last
            // repair and within `closeEnoughToRepair` of every limit. The periodic repair goes by the
            // relaxation alone: from assembled plans 10–20 % over, repairs cost as much as 15 iterations
            // on the bundled sample and failed.
            let nearest = min(worst, assembledWorst)
            let due = (iteration % max(1, options.repairInterval) == 0 && worst < 0.2)
                || (nearest < closestSinceRepair * (lastRepairFailed ? options.closerAfterFailedRepair : 1)
                    && nearest < options.closeEnoughToRepair)
            closestSinceRepair = min(closestSinceRepair, nearest)
            if !gapClosed && (worst <= options.feasibilityTolerance || due || options.repairInterval == 1) {
                // Without a feasible plan yet, this repair leaves the final one its reserve.
                let candidate = problem.repair(
                    deadline: repairDeadline(minimumSeconds: 0, reserveSeconds: bestPrimal.isFinite ? 0 : finalRepairReserve))
                repairedThisIteration = true
                closestSinceRepair = nearest
                lastRepairFailed = violation(candidate.use) > options.feasibilityTolerance
                if !lastRepairFailed && candidate.cost < bestPrimal {
                    bestPrimal = candidate.cost
                    primalUse = candidate.use
                    problem.keepRepairedAsBest()
                }
            }
            let gap = relativeGap()
            // Before the first feasible plan the target is a guess; objectives carry large constant terms
            // (every unit is bought), so the guess is a small fraction above the bound.
            let target = bestPrimal.isFinite ? bestPrimal : bestDual + options.targetAboveBound * abs(bestDual) + 1e-6
            // A warm start whose kept plan closes the gap at once takes one price step only because its first
            // relaxation breaks a limit by more than `closeEnoughToRepair` (below): the adaptive step moves just those
            // stale prices (by the step they would take anyway), the others are held, and the products whose
            // plans use none of the raised capacities keep them unsolved (bundled sample, FC-EWR storage
            // −20 %: 1 584 of 2 500 products solved in that relaxation; warm evaluations 77 109 → 73 352,
            // at 10 k 228 172 → 212 761). (A twentieth of the step raised the dual value where the whole
            // step lowered it, but left the tiny sample's cut FC-HOU at 0.013 where the cold solve prices
            // it 0.43 and the whole step 0.26.)
            let staleStepOnly = iteration == 1 && (gap <= options.gap || options.firstStepMovesOnlyFarOff)
                && worst > options.closeEnoughToRepair
            var held = [Bool](repeating: false, count: count)
            if staleStepOnly {
                for i in 0..<count where active[i] {
                    held[i] = relativeExcess(relaxation.use[i], limit: limits[i]) <= options.closeEnoughToRepair
                }
            }

            // Next prices.
            switch options.method {
            case .subgradient:
                if value >= bestDual { stall = 0 } else {
                    stall += 1
                    if stall >= 5 {
                        theta = max(theta / 2, 1e-6)
                        stall = 0
                    }
                }
                let direction = projected(g, at: point)
                let n2 = norm2(direction)
                step = n2 > 0 ? theta * max(0, target - value) / n2 : 0
                for i in 0..<count where active[i] { point[i] = max(0, point[i] + step * direction[i]) }
            case .adaptive:
                let direction = projected(g, at: point)
                let n2 = norm2(direction)
                let polyak = n2 > 0 ? max(0, target - value) / n2 : 0
                var largest = 0.0
                for i in 0..<count where active[i] && !held[i] {
                    let side: Double = g[i] > 0 ? 1 : g[i] < 0 ? -1 : 0
                    if side == 0 || (point[i] <= 0 && side < 0) {
                        // At its limit, or slack at a zero price: nothing to do, and no change of side.
                        continue
                    }
                    point[i] = signStep(price: point[i], side: side, step: &priceStep[i], lastSide: &lastSide[i]) {
                        polyak * abs(g[i])
                    }
                    largest = max(largest, priceStep[i])
                }
                step = largest
            case .volume:
                if iteration == 1 {
                    average = relaxation.use
                    centreValue = value
                } else {
                    // α minimising the norm of the averaged direction, within [αmax/10, αmax].
                    let averageDirection = subgradient(average)
                    var numerator = 0.0, denominator = 0.0
                    for i in 0..<count {
                        let d = averageDirection[i] - g[i]
                        numerator += averageDirection[i] * d
                        denominator += d * d
                    }
                    var alpha = denominator > 0 ? numerator / denominator : alphaMax
                    alpha = min(alphaMax, max(alphaMax / 10, alpha))
                    for i in 0..<count { average[i] = alpha * relaxation.use[i] + (1 - alpha) * average[i] }
                    if value > centreValue {
                        var dot = 0.0
                        for i in 0..<count { dot += g[i] * lastDirection[i] }
                        if dot >= 0 {
                            greens += 1
                            factor = min(2, factor * 2)
                        } else {
                            yellows += 1
                            if yellows % 2 == 0 { factor = min(2, factor * 1.1) }
                        }
                        if value - centreValue < 0.01 * abs(centreValue) && iteration % 20 == 0 {
                            alphaMax = max(1e-3, alphaMax * 0.5)
                        }
                        centreValue = value
                        bestScaled = point
                        reds = 0
                    } else {
                        reds += 1
                        if reds % 3 == 0 { factor = max(1e-4, factor * 0.67) }
                    }
                }
                let centre = bestScaled
                let direction = projected(subgradient(average), at: centre)
                lastDirection = direction
                let n2 = norm2(direction)
                step = n2 > 0 ? factor * max(0, target - centreValue) / n2 : 0
                for i in 0..<count where active[i] { point[i] = max(0, centre[i] + step * direction[i]) }
            }

            if MemoryTrace.isEnabled {
                MemoryTrace.mark("iteration \(iteration): dual value \(value), bound \(bestDual), best plan \(bestPrimal), gap \(gap)")
            }
            onIteration(
                MasterIteration(
                    iteration: iteration, seconds: elapsed(), dualValue: value, dualBound: bestDual, bestPrimal: bestPrimal,
                    gap: gap, step: step, maxViolation: worst, prices: p, use: relaxation.use))

            // A warm start's first relaxation runs at the last solve's prices; when it breaks a limit by more
            // than `closeEnoughToRepair` (a what-if cut a capacity), those prices are not the changed
            // scenario's shadow prices, even when the repaired plan already closes the gap: the prices take
            // at least one step. (With assembled plans a cut on the tiny sample closed the gap at once and
            // left the cut node's storage price at 0.)
            let pricesStale = iteration == 1 && worst > options.closeEnoughToRepair
            if gap <= options.gap && !pricesStale {
                stopReason = .gapReached
                break
            }
            if gap <= options.gap { problem.nextRelaxationOnlyMovesStalePrices() }
            if iteration >= options.maxIterations {
                stopReason = .iterationLimit
                break
            }
            let reserve = bestPrimal.isFinite && repairedThisIteration ? 0 : finalRepairReserve
            if elapsed() + reserve >= options.timeLimit {
                stopReason = .timeLimit
                break
            }
            // No plan yet at `abandonWithoutPlanAfter`: one repair, given a tenth of the time limit; a plan that
            // fits keeps the run going to its limits (a slow solve that gets there), one that does not ends it.
            if !bestPrimal.isFinite && !triedBeforeGivingWay && elapsed() >= options.abandonWithoutPlanAfter {
                triedBeforeGivingWay = true
                let candidate = problem.repair(
                    deadline: DispatchTime.now().uptimeNanoseconds + UInt64(max(0, min(0.1 * options.timeLimit, 1e6)) * 1e9))
                repairedThisIteration = true
                primalUse = candidate.use
                problem.keepRepairedAsBest()
                if violation(candidate.use) <= options.feasibilityTolerance {
                    bestPrimal = candidate.cost
                } else {
                    stopReason = .noPlanInTime
                    break
                }
            }
        }
        // Without a feasible plan, or when the last relaxation was not repaired, one last repair.
        // (Not when the gap is closed: the kept plan is good enough, and a repair costs a few iterations. Nor
        // after a cancel, which returns what it has at once: that repair may run until the time limit.)
        // (Nor after giving way for want of a plan: that repair has just run.)
        if iteration > 0 && !options.pricesOnly && stopReason != .cancelled && stopReason != .noPlanInTime
            && (!bestPrimal.isFinite || (!repairedThisIteration && stopReason != .gapReached))
        {
            let candidate = problem.repair(deadline: repairDeadline(minimumSeconds: min(1, 0.05 * options.timeLimit)))
            if !bestPrimal.isFinite || (violation(candidate.use) <= options.feasibilityTolerance && candidate.cost < bestPrimal) {
                if violation(candidate.use) <= options.feasibilityTolerance { bestPrimal = candidate.cost }
                primalUse = candidate.use
                problem.keepRepairedAsBest()
            }
        }
        if options.pricesOnly && !recentPoints.isEmpty {
            bestScaled = (0..<count).map { i in
                options.pricesTakeHighest
                    ? recentPoints.reduce(0) { max($0, $1[i]) }
                    : recentPoints.reduce(0) { $0 + $1[i] } / Double(recentPoints.count)
            }
        }
        let gap = relativeGap()
        return MasterOutcome(
            bestPrices: prices(bestScaled), dualBound: bestDual, bestPrimal: bestPrimal, gap: gap, iterations: iteration,
            stopReason: stopReason, certified: certified, primalUse: primalUse, seconds: elapsed())
    }
}
