// A what-if through the session the dashboard drives: close a node that the first plan uses, re-solve
// warm, and the closed node holds, ships and receives nothing.

import EchelonModel
import Foundation
import Testing
@testable import EchelonCore

/// The result of the `.finished` event of `generation`, if there was one.
private func finishedResult(_ events: [SessionEvent], generation: Int) -> SolveResult? {
    for event in events {
        if case .finished(let g, let result) = event, g == generation { return result }
    }
    return nil
}

@Test func sessionClosesANodeAndTheResolveLeavesItEmpty() throws {
    let scenario = TestScenarios.network(products: 60)
    let closed = try #require(scenario.nodes.firstIndex { $0.id == "FC-2" })
    let session = SolverSession(scenario: scenario)
    let log = EventLog()
    session.setEventHandler { log.append($0) }
    let limits = SolveLimits(gap: 0.01, maxIterations: 40, timeLimit: 20, threads: 1)

    let first = session.solve(limits: limits)
    session.waitUntilIdle()
    let cold = try #require(finishedResult(log.all, generation: first), "no finished event for the first solve")
    // The first plan uses the node, so closing it is a real change.
    #expect(cold.plan.positions.contains { Int($0.node) == closed && $0.baseStock > 0 })
    #expect(cold.nodes[closed].storageUsed > 0)

    try session.apply([.closeNode(node: closed)])
    #expect(session.appliedWhatIfs == [[.closeNode(node: closed)]])
    #expect(session.scenario.nodes[closed].storageCapacity == 0)
    #expect(session.scenario.nodes[closed].outboundCapacity == 0)
    #expect(session.scenario.nodes[closed].inboundCapacity == 0)
    #expect(!PlanningModel.isOpen(session.scenario.nodes[closed]))
    // The session's base scenario is untouched: the other nodes keep their capacities.
    for n in scenario.nodes.indices where n != closed {
        #expect(session.scenario.nodes[n] == scenario.nodes[n])
    }

    let second = session.solve(limits: limits)
    #expect(second == first + 1)
    session.waitUntilIdle()
    let events = log.all
    let warm = try #require(finishedResult(events, generation: second), "no finished event for the re-solve")
    guard case .finished(let lastGeneration, _)? = events.last else {
        Issue.record("the last event is not a finished one")
        return
    }
    #expect(lastGeneration == second)
    #expect(session.lastSolve?.iterations == warm.iterations)

    #expect(warm.nodes.count == scenario.nodes.count)
    #expect(warm.nodes[closed].storageUsed == 0)
    #expect(warm.nodes[closed].outboundUsed == 0)
    #expect(warm.nodes[closed].inboundUsed == 0)
    let rowsAtClosed = warm.plan.positions.filter { Int($0.node) == closed }
    #expect(rowsAtClosed.isEmpty, "plan rows at the closed node: \(rowsAtClosed)")
    // Nor does any progress snapshot of the re-solve put use at the closed node.
    for event in events {
        if case .progress(let g, let snapshot) = event, g == second {
            #expect(snapshot.nodes[closed].storageUsed == 0, "iteration \(snapshot.iteration) stores at the closed node")
            #expect(snapshot.nodes[closed].outboundUsed == 0, "iteration \(snapshot.iteration) ships from the closed node")
            #expect(snapshot.nodes[closed].inboundUsed == 0, "iteration \(snapshot.iteration) receives at the closed node")
        }
    }
    // The closed node has no violation (zero use against zero capacity), and demand is still served
    // by the other nodes: the plan holds stock somewhere.
    #expect(!warm.violations.contains { $0.index == closed && $0.kind != .service })
    #expect(warm.plan.positions.contains { $0.baseStock > 0 })

    // Undo brings the node back.
    try session.undo()
    #expect(session.scenario.nodes[closed] == scenario.nodes[closed])
}
