// The contract between the planning core and whoever watches it (the dashboard, the CLI, tests).
// The solver publishes immutable snapshots; watchers never block it.

import EchelonModel

/// One node's prices and use in one iteration (or in the final plan).
public struct NodeUsage: Sendable, Hashable {
    /// Currency per cubic foot-day.
    public var storagePrice: Double
    /// Currency per unit shipped.
    public var outboundPrice: Double
    /// Currency per unit received.
    public var inboundPrice: Double
    /// Cubic feet.
    public var storageUsed: Double
    /// Units per day.
    public var outboundUsed: Double
    /// Units per day.
    public var inboundUsed: Double

    public init(
        storagePrice: Double = 0, outboundPrice: Double = 0, inboundPrice: Double = 0, storageUsed: Double = 0,
        outboundUsed: Double = 0, inboundUsed: Double = 0
    ) {
        self.storagePrice = storagePrice
        self.outboundPrice = outboundPrice
        self.inboundPrice = inboundPrice
        self.storageUsed = storageUsed
        self.outboundUsed = outboundUsed
        self.inboundUsed = inboundUsed
    }
}

/// One speed's price and planned fill rate.
public struct SpeedService: Sendable, Hashable {
    /// Currency per missed unit (the dual of the fill-rate target).
    public var price: Double
    /// Network fill rate of this speed in the model.
    public var plannedFillRate: Double
    /// The highest fill rate any plan can approach (`PlanningModel.reachableFillRate`).
    public var reachableFillRate: Double
    /// No plan met this target together with every capacity, so it was left out to keep them (`Solver`).
    public var targetLeftOut: Bool
    public init(price: Double = 0, plannedFillRate: Double = 0, reachableFillRate: Double = 1, targetLeftOut: Bool = false) {
        self.price = price
        self.plannedFillRate = plannedFillRate
        self.reachableFillRate = reachableFillRate
        self.targetLeftOut = targetLeftOut
    }
}

/// Which shared constraint a violation is about.
public enum ConstraintKind: String, Sendable, Hashable, CaseIterable {
    case storage, outbound, inbound, service
}

/// A constraint the plan does not meet: `used` against `limit` (for service: fill rate against target).
public struct Violation: Sendable, Hashable {
    public var kind: ConstraintKind
    /// Node index for storage/outbound/inbound, speed index for service.
    public var index: Int
    public var used: Double
    public var limit: Double
    /// For a service target that no plan can meet, the highest fill rate a plan can approach; nil otherwise.
    public var reachable: Double?
    /// A service target no plan met together with every capacity, left out so that the plan keeps them.
    public var leftOutForCapacities: Bool
    /// How far over (storage, flows) or under (service), in the constraint's unit.
    public var amount: Double { kind == .service ? max(0, limit - used) : max(0, used - limit) }
    /// `amount` relative to the limit.
    public var relative: Double { limit > 0 ? amount / limit : (amount > 0 ? .infinity : 0) }
    public init(
        kind: ConstraintKind, index: Int, used: Double, limit: Double, reachable: Double? = nil, leftOutForCapacities: Bool = false
    ) {
        self.kind = kind
        self.index = index
        self.used = used
        self.limit = limit
        self.reachable = reachable
        self.leftOutForCapacities = leftOutForCapacities
    }
}

/// The master's state after one iteration.
public struct SolverSnapshot: Sendable, Hashable {
    public var iteration: Int
    /// Seconds since the solve started.
    public var seconds: Double
    /// Best Lagrangian lower bound so far.
    public var dualBound: Double
    /// Cost of the best feasible (repaired) plan so far; `.infinity` before the first.
    public var bestPrimal: Double
    /// (bestPrimal − dualBound) / |bestPrimal|.
    public var gap: Double
    public var step: Double
    /// Worst relative violation of the current (unrepaired) Lagrangian solution.
    public var maxViolation: Double
    /// Per node, indexed like `Scenario.nodes`.
    public var nodes: [NodeUsage]
    /// Per speed, indexed like `Scenario.speeds`.
    public var speeds: [SpeedService]

    public init(
        iteration: Int, seconds: Double, dualBound: Double, bestPrimal: Double, gap: Double, step: Double,
        maxViolation: Double, nodes: [NodeUsage], speeds: [SpeedService]
    ) {
        self.iteration = iteration
        self.seconds = seconds
        self.dualBound = dualBound
        self.bestPrimal = bestPrimal
        self.gap = gap
        self.step = step
        self.maxViolation = maxViolation
        self.nodes = nodes
        self.speeds = speeds
    }
}

/// Expected cost per day, by term.
public struct CostBreakdown: Sendable, Hashable {
    public var purchase: Double = 0
    public var inboundTransport: Double = 0
    public var holding: Double = 0
    public var outboundShipping: Double = 0
    public var missPenalty: Double = 0
    public var transfer: Double = 0
    public var total: Double { purchase + inboundTransport + holding + outboundShipping + missPenalty + transfer }
    public init() {}

    /// How many terms there are, and their order in `terms` and `init(terms:)`.
    static let termCount = 6
    var terms: [Double] { [purchase, inboundTransport, holding, outboundShipping, missPenalty, transfer] }
    init(terms: some Collection<Double>) {
        var next = terms.makeIterator()
        purchase = next.next() ?? 0
        inboundTransport = next.next() ?? 0
        holding = next.next() ?? 0
        outboundShipping = next.next() ?? 0
        missPenalty = next.next() ?? 0
        transfer = next.next() ?? 0
    }
}

/// Why a solve stopped.
public enum StopReason: String, Sendable, Hashable {
    case gapReached = "gap"
    case iterationLimit = "iterations"
    case timeLimit = "time"
    case cancelled
    /// No plan met every limit by `MasterOptions.abandonWithoutPlanAfter` (a share of the time limit).
    case noPlanInTime = "no plan in time"
}

/// A finished solve.
public struct SolveResult: Sendable {
    public var plan: Plan
    public var costs: CostBreakdown
    public var dualBound: Double
    public var gap: Double
    /// True only when every subproblem was solved exactly, so `dualBound` is a valid lower bound.
    public var certified: Bool
    public var iterations: Int
    public var seconds: Double
    public var threads: Int
    public var stopReason: StopReason
    /// Final prices and use per node.
    public var nodes: [NodeUsage]
    public var speeds: [SpeedService]
    /// Constraints the returned plan still violates (empty for a feasible plan).
    public var violations: [Violation]
    /// Every iteration's snapshot, in order.
    public var history: [SolverSnapshot]
    /// The relaxation at the best dual prices, for a warm re-solve (nil when the solve kept none).
    public var relaxation: CarriedRelaxation? = nil
    /// The plan's evaluation per position and product, for a warm re-solve (nil when the solve kept none).
    public var planEvaluation: PlanEvaluation? = nil

    public init(
        plan: Plan, costs: CostBreakdown, dualBound: Double, gap: Double, certified: Bool, iterations: Int,
        seconds: Double, threads: Int, stopReason: StopReason, nodes: [NodeUsage], speeds: [SpeedService],
        violations: [Violation], history: [SolverSnapshot]
    ) {
        self.plan = plan
        self.costs = costs
        self.dualBound = dualBound
        self.gap = gap
        self.certified = certified
        self.iterations = iterations
        self.seconds = seconds
        self.threads = threads
        self.stopReason = stopReason
        self.nodes = nodes
        self.speeds = speeds
        self.violations = violations
        self.history = history
    }
}

/// Which products a demand scaling applies to.
public enum DemandScope: Sendable, Hashable {
    case all
    case region(Int)
    case category(Int)
    case product(Int)
}

/// A change to the scenario, applied before a warm re-solve.
public enum WhatIf: Sendable, Hashable {
    /// New capacities for a node; nil leaves one as it is.
    case setCapacity(node: Int, storage: Double?, outbound: Double?, inbound: Double?)
    /// The node holds nothing and serves nothing.
    case closeNode(node: Int)
    case scaleDemand(scope: DemandScope, factor: Double)
    /// New lead-time mean and std (days) for a vendor, for every product it supplies.
    case setVendorLeadTime(vendor: Int, mean: Double, std: Double)
    case setSpeedService(speed: Int, targetFillRate: Double?, missPenalty: Double?)
}

/// Stopping rules of one solve.
public struct SolveLimits: Sendable, Hashable {
    /// Relative gap at which to stop (0.01 = 1 %).
    public var gap: Double
    public var maxIterations: Int
    /// Seconds.
    public var timeLimit: Double
    /// Worker threads; 0 means every core.
    public var threads: Int
    public init(gap: Double = 0.005, maxIterations: Int = 200, timeLimit: Double = 60, threads: Int = 0) {
        self.gap = gap
        self.maxIterations = maxIterations
        self.timeLimit = timeLimit
        self.threads = threads
    }
}

/// What a watcher sees of a session.
public enum SessionEvent: Sendable {
    case started(generation: Int)
    case progress(generation: Int, SolverSnapshot)
    case finished(generation: Int, SolveResult)
    case failed(generation: Int, message: String)
}

/// A planning session as the dashboard drives it: one scenario, solves run in the background, what-ifs
/// applied and re-solved warm. Implementations post events from their own threads; the watcher hops
/// them to its own thread. No method blocks on a running solve.
public protocol PlanningSession: AnyObject, Sendable {
    /// The scenario with every applied what-if.
    var scenario: Scenario { get }
    /// Starts a solve (warm from the last prices and plan if there are any). Each solve has a new generation number.
    /// A running solve is cancelled first.
    @discardableResult func solve(limits: SolveLimits) -> Int
    /// Asks the running solve to stop at the end of its current iteration; it still finishes with the best plan.
    func cancel()
    /// Applies what-ifs to the session's scenario (not to files). Takes effect at the next `solve`.
    func apply(_ changes: [WhatIf]) throws
    /// Takes back the last `apply`.
    func undo() throws
    /// Registers the watcher; called from the session's threads, must not block.
    func setEventHandler(_ handler: @escaping @Sendable (SessionEvent) -> Void)
}
