import EchelonCore
import EchelonModel
import Foundation

/// A `PlanningSession` driven by `ScriptedSolver`: solves on a background queue, one iteration every
/// `iterationDelay` seconds, posting events like the real session. Used by `--demo` and by tests.
public final class ScriptedSession: PlanningSession, @unchecked Sendable {
    // Guarded by `lock`; the class is Sendable because every mutable field is only touched under it.
    private let lock = NSLock()
    private var current: Scenario
    private var undoStack: [Scenario] = []
    private var generation = 0
    private var cancelledGeneration = 0
    private var hasSolved = false
    private var handler: (@Sendable (SessionEvent) -> Void)?
    private let queue = DispatchQueue(label: "echelon.scripted-session")
    private let iterationDelay: Double

    public init(scenario: Scenario, iterationDelay: Double = 0.05) {
        self.current = scenario
        self.iterationDelay = iterationDelay
    }

    public var scenario: Scenario { lock.withLock { current } }

    public func setEventHandler(_ handler: @escaping @Sendable (SessionEvent) -> Void) {
        lock.withLock { self.handler = handler }
    }

    @discardableResult
    public func solve(limits: SolveLimits) -> Int {
        let (gen, scenario, warm, post) = lock.withLock { () -> (Int, Scenario, Bool, (@Sendable (SessionEvent) -> Void)?) in
            cancelledGeneration = generation
            generation += 1
            defer { hasSolved = true }
            return (generation, current, hasSolved, handler)
        }
        let delay = iterationDelay
        queue.async { [self] in
            post?(.started(generation: gen))
            let run = ScriptedSolver.run(scenario: scenario, limits: limits, warm: warm)
            var delivered: [SolverSnapshot] = []
            for snapshot in run.snapshots {
                if isCancelled(gen) { break }
                if delay > 0 { Thread.sleep(forTimeInterval: delay) }
                delivered.append(snapshot)
                post?(.progress(generation: gen, snapshot))
            }
            var result = run.result
            if delivered.count < run.snapshots.count {
                result.stopReason = .cancelled
                result.history = delivered
                result.iterations = delivered.last?.iteration ?? 0
            }
            post?(.finished(generation: gen, result))
        }
        return gen
    }

    private func isCancelled(_ gen: Int) -> Bool { lock.withLock { cancelledGeneration >= gen } }

    public func cancel() {
        lock.withLock { cancelledGeneration = generation }
    }

    public func apply(_ changes: [WhatIf]) throws {
        try lock.withLock {
            let changed = try WhatIfApplier.apply(changes, to: current)
            undoStack.append(current)
            current = changed
        }
    }

    public func undo() throws {
        try lock.withLock {
            guard let previous = undoStack.popLast() else { throw WhatIfError(message: "nothing to undo") }
            current = previous
        }
    }
}

/// Applies what-ifs to a scenario value (the scripted session's version of what the core does).
public enum WhatIfApplier {
    public static func apply(_ changes: [WhatIf], to scenario: Scenario) throws -> Scenario {
        var s = scenario
        for change in changes {
            switch change {
            case .setCapacity(let n, let storage, let outbound, let inbound):
                guard s.nodes.indices.contains(n) else { throw WhatIfError(message: "no node \(n)") }
                if let storage { s.nodes[n].storageCapacity = storage }
                if let outbound { s.nodes[n].outboundCapacity = outbound }
                if let inbound { s.nodes[n].inboundCapacity = inbound }
            case .closeNode(let n):
                guard s.nodes.indices.contains(n) else { throw WhatIfError(message: "no node \(n)") }
                s.nodes[n].storageCapacity = 0
                s.nodes[n].outboundCapacity = 0
                s.nodes[n].inboundCapacity = 0
                s.options.removeAll { $0.node == n }
            case .scaleDemand(let scope, let factor):
                switch scope {
                case .all:
                    for p in s.products.indices { s.products[p].demandMean *= factor }
                case .category(let c):
                    for p in s.products.indices where Int(s.products[p].category) == c { s.products[p].demandMean *= factor }
                case .product(let p):
                    guard s.products.indices.contains(p) else { throw WhatIfError(message: "no product \(p)") }
                    s.products[p].demandMean *= factor
                case .region(let r):
                    // Scale the region's share in every profile, renormalise, and grow each product's mean by the profile's total.
                    var growth = [Double](repeating: 1, count: s.profiles.count)
                    for (i, profile) in s.profiles.enumerated() {
                        let total = profile.shares.reduce(0) { $0 + (Int($1.region) == r ? $1.share * factor : $1.share) }
                        growth[i] = total
                        s.profiles[i].shares = profile.shares.map {
                            DemandShare(region: $0.region, speed: $0.speed, share: (Int($0.region) == r ? $0.share * factor : $0.share) / max(total, 1e-12))
                        }
                    }
                    for p in s.products.indices { s.products[p].demandMean *= growth[Int(s.products[p].profile)] }
                }
            case .setVendorLeadTime(let v, let mean, let std):
                for i in s.productVendors.indices where s.productVendors[i].vendor == v {
                    s.productVendors[i].leadTimeMean = mean
                    s.productVendors[i].leadTimeStd = std
                }
                for l in s.lanes.indices {
                    if case .vendor(v) = s.lanes[l].source {
                        s.lanes[l].transitMean = mean
                        s.lanes[l].transitStd = std
                    }
                }
            case .setSpeedService(let sp, let target, let penalty):
                guard s.speeds.indices.contains(sp) else { throw WhatIfError(message: "no speed \(sp)") }
                if let target { s.speeds[sp].targetFillRate = target }
                if let penalty { s.speeds[sp].missPenalty = penalty }
            }
        }
        return s
    }
}
