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

    @Test func modelIsConservativeForTheLegacyBaseline() throws {
        // The legacy plan leans on overflow between nodes (each building small, sized alone), where the
        // model's one known approximation shows: it sizes a node's lead-time demand on the requests
        // that reach it (λ), while a request that finds the node empty moves on and never triggers a
        // replenishment (the flow is λ·A). The model then under-predicts availability. Measured on
        // this network: same-day −3.7 pp, two-day −0.1 pp (docs/simulation.md). The test pins that
        // the error stays on the safe side and within 5 pp, and within 2 pp where overflow is rare.
        let (raw, _) = Baselines.plan(scenario, policy: .legacy)
        let (plan, service) = Baselines.withModelExpectations(raw, scenario: scenario)
        let summary = try simulated(plan, service: service)
        for speed in summary.speeds {
            let error = try #require(speed.modelErrorPoints)
            let tolerance = speed.speed == "same_day" ? 5.0 : 2.0
            #expect(error <= 0.5 && error >= -tolerance, "\(speed.speed): model \(speed.plannedFillRate ?? 0) simulated \(speed.fillRate)")
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
