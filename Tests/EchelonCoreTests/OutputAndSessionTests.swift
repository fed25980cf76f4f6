import EchelonModel
import Foundation
import Testing
@testable import EchelonCore

@Test func solveOutputWritesTheIssueColumns() throws {
    let scenario = TestScenarios.network(products: 12, seed: 4)
    let result = Solver().solve(scenario: scenario, limits: SolveLimits(gap: 0.01, maxIterations: 20, threads: 1))
    let directory = NSTemporaryDirectory() + "echelon-core-output-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try SolveOutput.write(result, scenario: scenario, to: directory)
    func lines(_ name: String) throws -> [String] {
        try String(contentsOfFile: directory + "/" + name, encoding: .utf8).split(separator: "\n").map(String.init)
    }
    let plan = try lines("plan.csv")
    #expect(plan[0] == "product,node,vendor,base_stock,expected_on_hand,outbound_per_day,inbound_per_day,fill_rate")
    #expect(plan.count == result.plan.positions.count + 1)
    let prices = try lines("prices.csv")
    #expect(prices[0] == "node,kind,storage_price,outbound_price,inbound_price,storage_used,storage_capacity,outbound_used,outbound_capacity,inbound_used,inbound_capacity")
    #expect(prices.count == scenario.nodes.count + 1)
    #expect(try lines("service.csv")[0] == "speed,target_fill_rate,planned_fill_rate,price")
    let convergence = try lines("convergence.csv")
    #expect(convergence[0] == "iteration,seconds,dual_bound,primal_cost,gap,step,max_violation")
    #expect(convergence.count == result.iterations + 1)
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/summary.json"))) as! [String: Any]
    for key in ["objective", "purchase", "inbound_transport", "holding", "outbound_shipping", "miss_penalty", "transfer",
                "dual_bound", "gap", "certified", "iterations", "seconds", "threads", "violations"] {
        #expect(summary[key] != nil, "summary.json lacks \(key)")
    }
    #expect(abs((summary["objective"] as! Double) - result.costs.total) < 1e-6 * result.costs.total)
    #expect((summary["violations"] as! [Any]).count == result.violations.count)
    // plan.csv reads back through the model's reader to the same plan.
    let files = try PlanCSV.read(directory: directory, scenario: scenario)
    func key(_ p: PlanPosition) -> [Int32] { [p.product, p.node, p.baseStock] }
    #expect(Set(files.plan.positions.map(key)) == Set(result.plan.positions.map(key)))
    #expect(files.plan.vendorChoice == result.plan.vendorChoice)
    // No temporary files left behind.
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".") }
    #expect(leftovers.isEmpty)
}

@Test func whatIfFileParsesEveryChange() throws {
    let scenario = TestScenarios.network(products: 5)
    let text = """
        # every kind of change
        [[change]]
        type = "capacity"
        node = "FC-2"
        storage = 1_000
        outbound = 50.5

        [[change]]
        type = "close_node"
        node = "SSD-1"   # closed for a refit

        [[change]]
        type = "scale_demand"
        region = "R3"
        factor = 1.5

        [[change]]
        type = "scale_demand"
        factor = 0.9

        [[change]]
        type = "vendor_lead_time"
        vendor = "V-B"
        mean = 12
        std = 2

        [[change]]
        type = "speed_service"
        speed = "one_day"
        target = 0.7
        """
    let changes = try WhatIfFile.parse(text, path: "w.toml", scenario: scenario)
    #expect(changes == [
        .setCapacity(node: 3, storage: 1000, outbound: 50.5, inbound: nil), .closeNode(node: 6),
        .scaleDemand(scope: .region(3), factor: 1.5), .scaleDemand(scope: .all, factor: 0.9),
        .setVendorLeadTime(vendor: 1, mean: 12, std: 2), .setSpeedService(speed: 1, targetFillRate: 0.7, missPenalty: nil),
    ])
    let changed = try scenario.applying(changes)
    #expect(changed.nodes[3].storageCapacity == 1000)
    #expect(!PlanningModel.isOpen(changed.nodes[6]))
    #expect(changed.speeds[1].targetFillRate == 0.7)
    // Region 3's share of every product grew by half, then all demand fell by 10 %.
    let before = scenario.demandShares(of: 0).filter { $0.region == 3 }.reduce(0) { $0 + $1.share } * scenario.products[0].demandMean
    let after = changed.demandShares(of: 0).filter { $0.region == 3 }.reduce(0) { $0 + $1.share } * changed.products[0].demandMean
    #expect(abs(after - before * 1.5 * 0.9) < 1e-9)
    // A closed node holds nothing.
    #expect(!PlanningModel(scenario: changed).candidateNodes(of: 0).contains(6))
}

@Test func whatIfFileErrorsNameFileLineAndField() {
    let scenario = TestScenarios.network(products: 2)
    func error(_ text: String) -> String {
        do {
            _ = try WhatIfFile.parse(text, path: "w.toml", scenario: scenario)
            return "no error"
        } catch {
            return "\(error)"
        }
    }
    #expect(error("[[change]]\ntype = \"capacity\"\nnode = \"FC-9\"\nstorage = 5") == "w.toml:3: node: no node 'FC-9' in the scenario")
    #expect(error("[[change]]\ntype = \"scale_demand\"\nfactor = -1") == "w.toml:3: factor: -1.0 is outside [0.0, inf]")
    #expect(error("[[change]]\ntype = \"teleport\"") == "w.toml:2: type: unknown change 'teleport' (capacity, close_node, scale_demand, vendor_lead_time, speed_service)")
    #expect(error("[[change]]\ntype = \"close_node\"\nnode = \"FC-1\"\ncolour = \"red\"") == "w.toml:4: colour: not a field of a 'close_node' change")
    #expect(error("type = \"close_node\"") == "w.toml:1: type: key outside a [[change]] table")
    #expect(error("[[change]]\ntype = \"speed_service\"\nspeed = \"one_day\"\ntarget = 1.5") == "w.toml:4: target: 1.5 is outside [0.0, 1.0]")
}

/// Collects a session's events from its thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [SessionEvent] = []
    func append(_ event: SessionEvent) { lock.withLock { events.append(event) } }
    var all: [SessionEvent] { lock.withLock { events } }
}

@Test func sessionSolvesAppliesWhatIfsAndResolvesWarm() throws {
    let scenario = TestScenarios.network(products: 30, seed: 2)
    let session = SolverSession(scenario: scenario)
    let log = EventLog()
    session.setEventHandler { log.append($0) }
    let first = session.solve(limits: SolveLimits(gap: 0.01, maxIterations: 40, threads: 1))
    session.waitUntilIdle()
    guard case .finished(let generation, let cold)? = log.all.last else {
        Issue.record("no finished event")
        return
    }
    #expect(generation == first)
    let progress = log.all.filter { if case .progress = $0 { return true } else { return false } }
    #expect(progress.count == cold.iterations)
    try session.apply([.setCapacity(node: 3, storage: scenario.nodes[3].storageCapacity * 0.8, outbound: nil, inbound: nil)])
    #expect(session.scenario.nodes[3].storageCapacity == scenario.nodes[3].storageCapacity * 0.8)
    let second = session.solve(limits: SolveLimits(gap: 0.01, maxIterations: 40, threads: 1))
    #expect(second == first + 1)
    session.waitUntilIdle()
    guard case .finished(_, let warm)? = log.all.last else {
        Issue.record("no finished event")
        return
    }
    #expect(warm.nodes[3].storageUsed <= scenario.nodes[3].storageCapacity * 0.8 * (1 + 1e-9) || !warm.violations.isEmpty)
    try session.undo()
    #expect(session.scenario.nodes[3].storageCapacity == scenario.nodes[3].storageCapacity)
    #expect(throws: WhatIfInputError.self) { try session.undo() }
    #expect(throws: WhatIfInputError.self) { try session.apply([.closeNode(node: 99)]) }
}

@Test func sessionCancelEndsTheRunningSolve() {
    let session = SolverSession(scenario: TestScenarios.network(products: 30, seed: 8))
    let log = EventLog()
    session.setEventHandler { event in
        log.append(event)
        if case .progress(_, let snapshot) = event, snapshot.iteration == 1 { session.cancel() }
    }
    session.solve(limits: SolveLimits(gap: 0, maxIterations: 500, threads: 1))
    session.waitUntilIdle()
    guard case .finished(_, let result)? = log.all.last else {
        Issue.record("no finished event")
        return
    }
    #expect(result.stopReason == .cancelled)
    #expect(result.iterations == 1)
}
