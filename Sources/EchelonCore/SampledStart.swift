// A cold start for large scenarios: the prices of a sample of the products, solved first.
//
// Why: the prices are per unit of each capacity (a cubic-foot-day, a unit shipped, a unit missed), so
// they do not depend on how many products share a capacity: a sample that stands for the rest, on
// capacities shrunk to its share of the demand, has nearly the same prices, and its solve costs what
// the bundled sample's does (≈ 4 s). At 100 k products the first relaxation at the sample's prices
// had the dual bound that ten relaxations from zero prices reached (2 869 610 against 2 869 765); the
// iterations that remain are the primal side's. (The sample's plan, scaled to every product of its
// stratum, was tried as a starting plan too: 65–130 % over the small nodes' storage and the fill-rate
// targets, and its repair took 41 s — dropped.)

import Dispatch
import EchelonModel

extension Solver {
    /// Relaxations of the sample (the last four averaged). At 100 k products: from the best dual point of
    /// a sample stopped when its bound stalled (8 relaxations), the whole took 3 iterations and 145 s to
    /// a feasible plan; from the average of relaxations 9–12, 2 iterations and 58 s (gap 0.05 %).
    static let sampleIterations = 12

    /// A sample of at most one product in this many starts the whole from each price's highest over the
    /// sample's last relaxations rather than their average. Such a sample's small capacities are small
    /// (at 100 k products SSD-NYC's storage shrinks to 140 cubic feet), so its relaxations swing them
    /// far over and under; the whole's, from the average, was 70 % over SSD-NYC, a relaxation and a
    /// repair more than from the highest (8 % over, repaired at once): cold evaluations to a 0.1 % gap
    /// 4 771 729 → 2 720 414; 10 k 510 829 → 547 528, to 1 % 6.36 → 5.69 s. A sample of one in three
    /// is smoother, and there the average did better (the bundled sample, four 2 500- and one
    /// 5 000-product scenario: 12 iterations of the wholes together against 17).
    static let highestPricesFromStride = 4

    /// A cold start for `model` from a sample's prices (`sampledPrices`) where it has `sampledStartThreshold`
    /// products or more; nil otherwise (a cold start from zero prices).
    func sampledStart(model: PlanningModel, limits: SolveLimits) -> (prices: Prices, seconds: Double, statistics: SolveStatistics, stride: Int)? {
        guard sampledStartThreshold > 0 && model.scenario.products.count >= sampledStartThreshold else { return nil }
        return sampledPrices(model: model, limits: limits)
    }

    /// The prices of a sample's solve, to start the whole scenario from, or nil when the scenario is too
    /// small to sample (fewer than two products per sampled one). `seconds` is the sample's solve time, `statistics` its work,
    /// `stride` the products per sampled one.
    func sampledPrices(model: PlanningModel, limits: SolveLimits) -> (prices: Prices, seconds: Double, statistics: SolveStatistics, stride: Int)? {
        let scenario = model.scenario
        let count = scenario.products.count
        let stride = count / max(1, min(sampleSize, count / Self.minimumSampleStride))
        guard stride >= 2 else { return nil }
        // Strata: each template's products in order of mean demand, `stride` at a time; the middle one
        // stands for its stratum.
        var byTemplate = model.productsByTemplateInDemandOrder()
        // Templates with fewer products than a stratum (products with demand rows of their own have one
        // each) are pooled: sampled one by one they would weigh `stride` times too much (at 100 k
        // products 321 such products were 11 % of the sample and 0.3 % of the whole).
        let small = byTemplate.filter { $0.count < stride }.flatMap { $0 }.sorted(by: model.precedesInDemand)
        byTemplate = byTemplate.filter { $0.count >= stride } + [small]
        var sampled: [Int] = []
        for members in byTemplate where !members.isEmpty {
            var start = 0
            while start < members.count {
                let end = min(members.count, start + stride)
                sampled.append(members[(start + end - 1) / 2])
                start = end
            }
        }
        sampled.sort()
        // The capacities shrink to the sample's share of the demand; the fill-rate targets follow the
        // sample's own demand.
        let totalDemand = scenario.products.reduce(0) { $0 + $1.demandMean }
        let sampledDemand = sampled.reduce(0) { $0 + scenario.products[$1].demandMean }
        guard totalDemand > 0, sampledDemand > 0 else { return nil }
        let share = sampledDemand / totalDemand
        var sample = scenario
        sample.products = sampled.map { scenario.products[$0] }
        for n in sample.nodes.indices {
            sample.nodes[n].storageCapacity *= share
            sample.nodes[n].outboundCapacity *= share
            sample.nodes[n].inboundCapacity *= share
        }
        // Prices only: `sampleIterations` relaxations, no plan (its repairs were 40 % of the sample's
        // solve and gave nothing to the whole), within a fifth of the time.
        let sampleLimits = SolveLimits(
            gap: max(limits.gap, 0.005), maxIterations: min(limits.maxIterations, Self.sampleIterations),
            timeLimit: 0.2 * limits.timeLimit, threads: limits.threads)
        var solver = self
        solver.sampledStartThreshold = 0
        solver.pricesOnly = true
        solver.pricesTakeHighest = stride >= Self.highestPricesFromStride
        let clock = DispatchTime.now().uptimeNanoseconds
        var statistics = SolveStatistics()
        let result = solver.solve(model: PlanningModel(scenario: sample), limits: sampleLimits, statistics: &statistics)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
        MemoryTrace.mark("sample of \(sampled.count) products solved")
        return (WarmStart(result).prices, seconds, statistics, stride)
    }
}
