import EchelonCore
import EchelonModel
import Testing

@testable import EchelonSimulation

/// The planning model against the simulation on the bundled tiny network: for a solved plan the model's
/// fill rate per speed is within 2 percentage points of the simulated one.
@Suite(.serialized) struct ModelAgreement {
    let scenario: Scenario
    init() throws { scenario = try ScenarioLoader.load(directory: BundledSample.tiny) }

    func simulated(_ plan: Plan, service: [PlannedService?]) throws -> SimulationSummary {
        let network = try SimulationNetwork(scenario: scenario, plan: plan)
        let settings = SimulationSettings(
            days: 730, warmupDays: SimulationSettings.suggestedWarmup(for: network), replications: 6, seed: 17)
        let results = Simulator.run(network, settings: settings)
        return SimulationSummary(
            network: network, results: results, settings: settings,
            planFiles: PlanFiles(plan: plan, service: service, directory: "test"))
    }

    @Test func modelMatchesSimulationForTheLegacyBaseline() throws {
        // The legacy plan leans on overflow between nodes (each building small, sized alone). A request
        // that finds a node empty moves on and orders nothing there, so the model sizes each such node as
        // a loss system of the requests reaching it. Measured on this network: same-day −0.24 pp, two-day
        // 0.00 pp (−3.7 pp same-day when nodes were sized as if every request reaching them were
        // replenished, the error this test used to pin).
        let (raw, _) = Baselines.plan(scenario, policy: .legacy)
        let (plan, service) = Baselines.withModelExpectations(raw, scenario: scenario)
        let summary = try simulated(plan, service: service)
        for speed in summary.speeds {
            let error = try #require(speed.modelErrorPoints)
            #expect(abs(error) <= 2, "\(speed.speed): model \(speed.plannedFillRate ?? 0) simulated \(speed.fillRate)")
        }
        for node in summary.nodes where node.onHandModel > 1 {
            #expect(node.onHand >= 0.97 * node.onHandModel && node.onHand <= 1.15 * node.onHandModel, "\(node.node): \(node.onHand) vs \(node.onHandModel)")
        }
    }

    @Test func modelFillRatesMatchSimulationForASolvedPlan() throws {
        let result = Solver().solve(scenario: scenario, limits: SolveLimits(gap: 0.01, maxIterations: 40, timeLimit: 120, threads: 1))
        let service = scenario.speeds.indices.map { s in
            PlannedService(
                speed: s, targetFillRate: scenario.speeds[s].targetFillRate,
                plannedFillRate: result.speeds[s].plannedFillRate, price: result.speeds[s].price) as PlannedService?
        }
        let summary = try simulated(result.plan, service: service)
        for speed in summary.speeds {
            let error = try #require(speed.modelErrorPoints)
            #expect(abs(error) <= 2, "\(speed.speed): model \(speed.plannedFillRate ?? 0) simulated \(speed.fillRate)")
        }
    }
}

/// The simulation's acceptance case on the bundled US network (2,500 products): the solved plan, played
/// under sampled demand and lead times with the same demand as the legacy baseline (common random
/// numbers), keeps the model's fill rate within 2 points per speed, and costs less per day than legacy.
/// (At legacy's own fill rates the sample's capacities cannot be met; the comparison at equal service,
/// with capacity where legacy takes it, is in docs/simulation.md with the commands that produce it.)
@Test func bundledSampleSolvedPlanAgainstLegacy() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let result = Solver().solve(scenario: scenario, limits: SolveLimits(gap: 0.005, maxIterations: 80, timeLimit: 600, threads: 2))
    #expect(result.violations.isEmpty, "\(result.violations)")
    let service = scenario.speeds.indices.map { s in
        PlannedService(
            speed: s, targetFillRate: scenario.speeds[s].targetFillRate,
            plannedFillRate: result.speeds[s].plannedFillRate, price: result.speeds[s].price) as PlannedService?
    }
    let (raw, _) = Baselines.plan(scenario, policy: .legacy)
    let (legacy, legacyService) = Baselines.withModelExpectations(raw, scenario: scenario)
    let networks = [try SimulationNetwork(scenario: scenario, plan: result.plan), try SimulationNetwork(scenario: scenario, plan: legacy)]
    let settings = SimulationSettings(
        days: 365, warmupDays: SimulationSettings.suggestedWarmup(for: networks[0]), replications: 3, seed: 11, threads: 2)
    let results = Simulator.runMany(networks, settings: settings)
    let optimised = SimulationSummary(
        network: networks[0], results: results[0], settings: settings,
        planFiles: PlanFiles(plan: result.plan, service: service, directory: "optimised"))
    let baseline = SimulationSummary(
        network: networks[1], results: results[1], settings: settings,
        planFiles: PlanFiles(plan: legacy, service: legacyService, directory: "legacy"))
    for speed in optimised.speeds {
        let error = try #require(speed.modelErrorPoints)
        print("bundled sample \(speed.speed): model \(speed.plannedFillRate ?? 0) simulated \(speed.fillRate.mean) error \(error) pp")
        #expect(abs(error) <= 2, "\(speed.speed): model \(speed.plannedFillRate ?? 0) simulated \(speed.fillRate)")
    }
    print("bundled sample cost per day: optimised \(optimised.totalCostPerDay.mean) legacy \(baseline.totalCostPerDay.mean)")
    #expect(optimised.totalCostPerDay.mean < baseline.totalCostPerDay.mean)
}
