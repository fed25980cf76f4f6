import EchelonModel
import Testing

@testable import EchelonSimulation

/// Runs one plan and returns per-replication results.
func simulate(_ scenario: Scenario, _ plan: Plan, days: Int, warmup: Int, replications: Int, seed: UInt64 = 7, threads: Int = 0)
    throws -> (SimulationNetwork, [ReplicationResult])
{
    let network = try SimulationNetwork(scenario: scenario, plan: plan)
    let settings = SimulationSettings(days: days, warmupDays: warmup, replications: replications, seed: seed, threads: threads)
    return (network, Simulator.run(network, settings: settings))
}

@Suite struct SingleNodeClosedForm {
    // λ = 4/day, L = 5 days: lead-time demand Poisson(20), base stock 22.
    let mean = 4.0
    let lead = 5.0
    let baseStock: Int32 = 22

    @Test func backorderFillRateAndOnHandMatchPoissonClosedForm() throws {
        let scenario = TestScenarios.singleNode(mean: mean, leadDays: lead, policy: .backorder)
        let plan = TestScenarios.plan(scenario, baseStock: [(0, baseStock)])
        let (_, results) = try simulate(scenario, plan, days: 1500, warmup: 20, replications: 8)
        let fill = Estimate(samples: results.map { $0.servedOnTime[0] / $0.demand[0] })
        let onHand = Estimate(samples: results.map { $0.positionOnHandUnitDays[0] / Double($0.measuredDays) })
        let exactFill = ClosedForm.backorderFillRate(baseStock: Int(baseStock), leadDemand: mean * lead)
        let exactOnHand = ClosedForm.backorderOnHand(baseStock: Int(baseStock), leadDemand: mean * lead)
        #expect(abs(exactFill - 0.643698) < 1e-6)  // P(Poisson(20) ≤ 21)
        #expect(fill.contains(exactFill), "fill \(fill) vs \(exactFill)")
        #expect(onHand.contains(exactOnHand), "on hand \(onHand) vs \(exactOnHand)")
        #expect(fill.halfWidth < 0.03)
    }

    @Test func lostSalesFillRateAndOnHandMatchErlangLoss() throws {
        let scenario = TestScenarios.singleNode(mean: mean, leadDays: lead, policy: .lostSales)
        let plan = TestScenarios.plan(scenario, baseStock: [(0, baseStock)])
        let (_, results) = try simulate(scenario, plan, days: 1500, warmup: 20, replications: 8)
        let fill = Estimate(samples: results.map { $0.servedOnTime[0] / $0.demand[0] })
        let onHand = Estimate(samples: results.map { $0.positionOnHandUnitDays[0] / Double($0.measuredDays) })
        let blocking = ClosedForm.erlangB(servers: Int(baseStock), load: mean * lead)
        let exactOnHand = Double(baseStock) - mean * lead * (1 - blocking)
        #expect(fill.contains(1 - blocking), "fill \(fill) vs \(1 - blocking)")
        #expect(onHand.contains(exactOnHand), "on hand \(onHand) vs \(exactOnHand)")
    }

    @Test func costsFollowTheFlows() throws {
        let scenario = TestScenarios.singleNode(mean: mean, leadDays: lead, policy: .lostSales)
        let plan = TestScenarios.plan(scenario, baseStock: [(0, baseStock)])
        let (_, results) = try simulate(scenario, plan, days: 400, warmup: 20, replications: 2)
        for r in results {
            // Shipping 3 per unit shipped; lost units cost the miss penalty 2 + lost-sale penalty 5.
            #expect(abs(r.costs.outboundShipping - 3 * r.unitsShipped) < 1e-6)
            #expect(abs(r.costs.missPenalty - 7 * r.lost[0]) < 1e-6)
            // Holding: 10 × 0.365 / 365 = 0.01 per unit-day.
            #expect(abs(r.costs.holding - 0.01 * r.positionOnHandUnitDays[0]) < 1e-6)
            // Every shipped unit is bought again (7) and carried in (0.5 per cubic foot, cube 1),
            // up to the orders still in the pipeline at the edges of the window.
            #expect(abs(r.costs.purchase / 7 - r.unitsShipped) <= 2 * Double(baseStock))
        }
    }
}

@Suite struct TwoEchelonMetric {
    @Test func dcDelayMatchesMetricEBOOverLambda() throws {
        // DC demand Poisson(2 + 3 = 5/day), vendor lead time 6 days: DC lead-time demand Poisson(30).
        let scenario = TestScenarios.twoEchelon(mean1: 2, mean2: 3, vendorDays: 6, transitDays: 1)
        let dcStock = 28
        let plan = TestScenarios.plan(scenario, baseStock: [(0, Int32(dcStock)), (1, 4), (2, 5)])
        let (network, results) = try simulate(scenario, plan, days: 1500, warmup: 30, replications: 8)
        let dc = try #require(network.position(product: 0, node: 0))
        let delayDays = Estimate(
            samples: results.map { $0.positionRequestWaitHours[dc] / $0.positionRequests[dc] / 24 })
        let ebo = ClosedForm.expectedBackorders(baseStock: dcStock, leadDemand: 30)
        let metricDelay = ebo / 5
        #expect(delayDays.contains(metricDelay), "delay \(delayDays) vs METRIC \(metricDelay)")
        #expect(delayDays.halfWidth < 0.05)
        // The DC's request rate is the FCs' demand.
        let requestRate = Estimate(samples: results.map { $0.positionRequests[dc] / Double($0.measuredDays) })
        #expect(requestRate.contains(5), "request rate \(requestRate)")
    }
}

@Suite struct FulfilmentPolicy {
    @Test func ordersAfterTheCutoffAreDowngraded() throws {
        // Plenty of stock: every same-day order before noon is served same day; after noon the node
        // no longer takes same-day orders and the order is downgraded to one-day at the same node.
        let scenario = TestScenarios.cutoff(sameDayCutoff: 12)
        let plan = TestScenarios.plan(scenario, baseStock: [(0, 100)])
        let (_, results) = try simulate(scenario, plan, days: 300, warmup: 5, replications: 4)
        let fill = Estimate(samples: results.map { $0.servedOnTime[0] / $0.demand[0] })
        #expect(fill.contains(0.5), "same-day fill \(fill)")
        for r in results {
            #expect(r.lost[0] == 0)
            #expect(r.downgraded[0] + r.servedOnTime[0] == r.demand[0])
            // Same-day shipping 5, one-day 2, downgrade penalty 4.
            #expect(abs(r.costs.outboundShipping - (5 * r.servedOnTime[0] + 2 * r.downgraded[0])) < 1e-6)
            #expect(abs(r.costs.missPenalty - 4 * r.downgraded[0]) < 1e-6)
        }
    }
}

@Suite struct Determinism {
    func summary(_ results: [ReplicationResult]) -> [Double] {
        results.flatMap { [$0.servedOnTime[0], $0.demand[0], $0.costs.total, $0.positionOnHandUnitDays[0]] }
    }

    @Test func sameSeedSameResultsOnOneAndTwoThreads() throws {
        let scenario = TestScenarios.twoEchelon(mean1: 2, mean2: 3, vendorDays: 6, transitDays: 1)
        let plan = TestScenarios.plan(scenario, baseStock: [(0, 28), (1, 4), (2, 5)])
        let (_, one) = try simulate(scenario, plan, days: 200, warmup: 10, replications: 4, seed: 11, threads: 1)
        let (_, two) = try simulate(scenario, plan, days: 200, warmup: 10, replications: 4, seed: 11, threads: 2)
        #expect(summary(one) == summary(two))
        let (_, other) = try simulate(scenario, plan, days: 200, warmup: 10, replications: 4, seed: 12, threads: 2)
        #expect(summary(one) != summary(other))
        // Replications differ from each other.
        #expect(one[0].demand[0] != one[1].demand[0])
    }

    @Test func plansShareDemandUnderCommonRandomNumbers() throws {
        let scenario = TestScenarios.twoEchelon(mean1: 2, mean2: 3, vendorDays: 6, transitDays: 1)
        let lean = try SimulationNetwork(scenario: scenario, plan: TestScenarios.plan(scenario, baseStock: [(0, 10), (1, 1), (2, 1)]))
        let rich = try SimulationNetwork(scenario: scenario, plan: TestScenarios.plan(scenario, baseStock: [(0, 40), (1, 6), (2, 8)]))
        let settings = SimulationSettings(days: 150, warmupDays: 10, replications: 3, seed: 5, threads: 2)
        let both = Simulator.runMany([lean, rich], settings: settings)
        for r in 0..<3 {
            #expect(both[0][r].demand == both[1][r].demand)
            #expect(both[0][r].servedOnTime[0] < both[1][r].servedOnTime[0])
        }
    }
}
