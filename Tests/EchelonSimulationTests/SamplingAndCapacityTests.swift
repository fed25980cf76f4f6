import EchelonModel
import Testing

@testable import EchelonSimulation

@Suite struct Sampling {
    func moments(_ draws: [Double]) -> (mean: Double, variance: Double) {
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count - 1)
        return (mean, variance)
    }

    @Test(arguments: [(0.3, 1.0), (5.0, 1.0), (50.0, 1.0), (5.0, 3.0), (0.4, 2.0)])
    func dailyDemandHasTheModelsMeanAndVariance(mean: Double, vmr: Double) {
        var random = Xoshiro256(seed: 99, keys: 1, 2)
        let n = 200_000
        let draws = (0..<n).map { _ in Double(random.demand(mean: mean, varianceToMean: vmr)) }
        let (m, v) = moments(draws)
        // Standard error of the mean is sqrt(vmr·mean/n); allow 5 of them.
        #expect(abs(m - mean) < 5 * (vmr * mean / Double(n)).squareRoot())
        #expect(abs(v / m - vmr) < 0.05 * vmr)
    }

    @Test func leadTimesHaveTheirMeanAndStd() {
        var random = Xoshiro256(seed: 5, keys: 2)
        let draws = (0..<200_000).map { _ in random.duration(mean: 6, std: 2) }
        let (m, v) = moments(draws)
        #expect(abs(m - 6) < 0.03)
        #expect(abs(v.squareRoot() - 2) < 0.03)
        #expect(draws.allSatisfy { $0 >= 0 })
        #expect(random.duration(mean: 3, std: 0) == 3)
    }

    @Test func streamsDependOnlyOnTheirKeys() {
        var a = Xoshiro256(seed: 1, keys: 1, 0, 7)
        var b = Xoshiro256(seed: 1, keys: 1, 0, 7)
        var c = Xoshiro256(seed: 1, keys: 1, 0, 8)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }
}

@Suite struct Capacities {
    func scenario(outbound: Double, inbound: Double) -> Scenario {
        var scenario = TestScenarios.singleNode(mean: 4, leadDays: 1, policy: .lostSales)
        scenario.nodes[0].outboundCapacity = outbound
        scenario.nodes[0].inboundCapacity = inbound
        return scenario
    }

    @Test func inboundCapacityLimitsThroughput() throws {
        // Demand 4/day, the dock takes 3/day: receipts queue, and in the long run 3 of 4 orders are served.
        let scenario = scenario(outbound: 1e9, inbound: 3)
        let plan = TestScenarios.plan(scenario, baseStock: [(0, 20)])
        let (_, results) = try simulate(scenario, plan, days: 1000, warmup: 60, replications: 4)
        let fill = Estimate(samples: results.map { $0.servedOnTime[0] / $0.demand[0] })
        #expect(abs(fill.mean - 0.75) < 0.01, "fill \(fill)")
        for r in results {
            #expect(r.inboundByDay[0].allSatisfy { $0 <= 3 })
            #expect(r.inboundOverDays[0] > 990)
            #expect(r.inboundDelayedUnitDays[0] > 0)
        }
    }

    @Test func outboundWorkBeyondCapacityWaitsAndIsCounted() throws {
        // Demand 4/day against 5/day of outbound capacity: days over are the days with more than 5
        // orders (plus the carried work), and every unit is still shipped.
        let scenario = scenario(outbound: 5, inbound: 1e9)
        let plan = TestScenarios.plan(scenario, baseStock: [(0, 40)])
        let (_, results) = try simulate(scenario, plan, days: 2000, warmup: 20, replications: 8)
        let overShare = Estimate(samples: results.map { Double($0.outboundOverDays[0]) / Double($0.measuredDays) })
        // Carried work follows Lindley's recursion B' = max(0, B + N − 5) with N ~ Poisson(4); a day is
        // over when B + N > 5. Its stationary probability, by iterating the chain.
        let pmf = (0..<40).map { ClosedForm.poissonPMF($0, 4) }
        var backlog = [Double](repeating: 0, count: 120)
        backlog[0] = 1
        var over = 0.0
        for _ in 0..<600 {
            var next = [Double](repeating: 0, count: backlog.count)
            over = 0
            for (b, pb) in backlog.enumerated() where pb > 1e-14 {
                for (n, pn) in pmf.enumerated() {
                    if b + n > 5 { over += pb * pn }
                    next[min(backlog.count - 1, max(0, b + n - 5))] += pb * pn
                }
            }
            backlog = next
        }
        #expect(abs(over - 0.38444) < 1e-3)
        #expect(overShare.contains(over), "days over \(overShare) vs \(over)")
        for r in results { #expect(r.outboundDelayedUnitDays[0] > 0) }
    }
}
