// The planning session the dashboard drives (SessionTypes.swift): solves run one at a time on the
// session's own queue, post their snapshots as they go and never wait for the watcher.

import Dispatch
import EchelonModel
import Foundation

public final class SolverSession: PlanningSession, @unchecked Sendable {
    /// Guards every stored property below; never held while solving or calling the handler.
    private let lock = NSLock()
    private let baseScenario: Scenario
    private var appliedChanges: [[WhatIf]] = []
    private var currentScenario: Scenario
    private var handler: (@Sendable (SessionEvent) -> Void)?
    private var generation = 0
    private var runningToken: CancelToken?
    private var lastResult: SolveResult?
    private let queue = DispatchQueue(label: "echelon.solver-session")
    /// How the master moves prices; the default is the faster method of docs/solver.md.
    public let method: MasterMethod

    public init(scenario: Scenario, method: MasterMethod = .adaptive) {
        self.method = method
        baseScenario = scenario
        currentScenario = scenario
    }

    public var scenario: Scenario { lock.withLock { currentScenario } }

    /// The what-ifs applied so far, in order (one entry per `apply`).
    public var appliedWhatIfs: [[WhatIf]] { lock.withLock { appliedChanges } }

    /// The last finished solve, if any.
    public var lastSolve: SolveResult? { lock.withLock { lastResult } }

    public func setEventHandler(_ handler: @escaping @Sendable (SessionEvent) -> Void) {
        lock.withLock { self.handler = handler }
    }

    @discardableResult
    public func solve(limits: SolveLimits) -> Int {
        let (generation, token, scenario, warm, method) = lock.withLock {
            runningToken?.cancel()
            self.generation += 1
            let token = CancelToken()
            runningToken = token
            return (self.generation, token, currentScenario, lastResult.map { WarmStart($0) }, self.method)
        }
        queue.async { [self] in
            emit(.started(generation: generation))
            if token.isCancelled {
                emit(.failed(generation: generation, message: "cancelled before it started"))
                return
            }
            let result = Solver(method: method).solve(
                scenario: scenario, limits: limits, warmStart: Self.compatible(warm, with: scenario),
                progress: { [self] snapshot in emit(.progress(generation: generation, snapshot)) },
                cancel: { token.isCancelled })
            lock.withLock {
                lastResult = result
                if runningToken === token { runningToken = nil }
            }
            emit(.finished(generation: generation, result))
        }
        return generation
    }

    public func cancel() {
        lock.withLock { runningToken?.cancel() }
    }

    public func apply(_ changes: [WhatIf]) throws {
        try lock.withLock {
            let next = try currentScenario.applying(changes)
            appliedChanges.append(changes)
            currentScenario = next
        }
    }

    public func undo() throws {
        try lock.withLock {
            guard !appliedChanges.isEmpty else { throw WhatIfInputError(message: "nothing to undo") }
            appliedChanges.removeLast()
            currentScenario = try baseScenario.applying(appliedChanges.flatMap { $0 })
        }
    }

    /// Blocks until every solve started so far has finished (for the CLI and tests, never the UI).
    public func waitUntilIdle() {
        queue.sync {}
    }

    private func emit(_ event: SessionEvent) {
        let handler = lock.withLock { self.handler }
        handler?(event)
    }

    /// A warm start fits a scenario with the same nodes, speeds and products.
    private static func compatible(_ warm: WarmStart?, with scenario: Scenario) -> WarmStart? {
        guard let warm, warm.prices.storage.count == scenario.nodes.count,
            warm.prices.service.count == scenario.speeds.count,
            warm.plan?.vendorChoice.count ?? scenario.products.count == scenario.products.count
        else { return nil }
        return warm
    }
}

/// A flag the solver polls between iterations.
final class CancelToken: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    func cancel() { lock.withLock { cancelled = true } }
    var isCancelled: Bool { lock.withLock { cancelled } }
}
