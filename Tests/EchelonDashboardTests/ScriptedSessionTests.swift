import EchelonCore
import EchelonModel
import Foundation
import Testing
@testable import EchelonDashboard

/// Collects a session's events from its thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [SessionEvent] = []
    private let done = DispatchSemaphore(value: 0)
    func append(_ event: SessionEvent) {
        lock.withLock { events.append(event) }
        if case .finished = event { done.signal() }
    }
    func waitForFinish() { done.wait() }
    var all: [SessionEvent] { lock.withLock { events } }
}

@Suite struct ScriptedSessionTests {
    @Test func solveStreamsStartedProgressFinishedInOrder() {
        let scenario = DemoScenario.make(products: 30)
        let session = ScriptedSession(scenario: scenario, iterationDelay: 0)
        let log = EventLog()
        session.setEventHandler { log.append($0) }
        let generation = session.solve(limits: SolveLimits())
        log.waitForFinish()
        let events = log.all
        guard case .started(let g) = events.first, g == generation else { Issue.record("no start"); return }
        let iterations = events.compactMap { event -> Int? in
            if case .progress(_, let s) = event { return s.iteration }
            return nil
        }
        #expect(iterations == Array(1...iterations.count))
        guard case .finished(_, let result) = events.last else { Issue.record("no finish"); return }
        #expect(result.iterations == iterations.last)
        #expect(result.gap <= SolveLimits().gap || result.stopReason == .iterationLimit)
        #expect(result.dualBound <= result.costs.total)
    }

    @Test func applyAndUndoChangeTheScenario() throws {
        let scenario = DemoScenario.make(products: 30)
        let session = ScriptedSession(scenario: scenario, iterationDelay: 0)
        try session.apply([.setCapacity(node: 3, storage: 10, outbound: nil, inbound: nil), .scaleDemand(scope: .category(1), factor: 2)])
        #expect(session.scenario.nodes[3].storageCapacity == 10)
        #expect(session.scenario.nodes[3].outboundCapacity == scenario.nodes[3].outboundCapacity)
        #expect(session.scenario.products[1].demandMean == 2 * scenario.products[1].demandMean)
        #expect(session.scenario.products[0].demandMean == scenario.products[0].demandMean)
        try session.undo()
        #expect(session.scenario.nodes[3].storageCapacity == scenario.nodes[3].storageCapacity)
        #expect(throws: WhatIfError.self) { try session.undo() }
    }

    @Test func regionScalingKeepsSharesSummingToOne() throws {
        let scenario = DemoScenario.make(products: 5)
        let changed = try WhatIfApplier.apply([.scaleDemand(scope: .region(0), factor: 3)], to: scenario)
        let shares = changed.profiles[0].shares
        #expect(abs(shares.reduce(0) { $0 + $1.share } - 1) < 1e-12)
        let regionShare = scenario.profiles[0].shares.filter { $0.region == 0 }.reduce(0) { $0 + $1.share }
        // Units in region 0 triple; the rest stay.
        let before = scenario.products[0].demandMean
        let after = changed.products[0].demandMean
        #expect(abs(after - before * (1 + 2 * regionShare)) < 1e-9)
        let regionUnitsAfter = after * shares.filter { $0.region == 0 }.reduce(0) { $0 + $1.share }
        #expect(abs(regionUnitsAfter - 3 * before * regionShare) < 1e-9)
    }

    @Test func cuttingStorageRaisesThatNodesPrice() throws {
        let scenario = DemoScenario.make(products: 120)
        let nyc = scenario.nodes.firstIndex { $0.id == "FC-NYC" }!
        let before = ScriptedSolver.run(scenario: scenario).result
        let cut = try WhatIfApplier.apply([.setCapacity(node: nyc, storage: 200, outbound: nil, inbound: nil)], to: scenario)
        let after = ScriptedSolver.run(scenario: cut, warm: true).result
        #expect(after.nodes[nyc].storagePrice > before.nodes[nyc].storagePrice)
        #expect(after.nodes[nyc].storageUsed <= 200 + 1e-9, "the repair fits the plan into the cut storage")
    }
}
