import Foundation
import Testing
@testable import EchelonCore

/// Poisson pmf from its definition, in logs (independent of the recursion under test).
func poissonPMF(_ k: Int, _ mean: Double) -> Double {
    exp(-mean + Double(k) * log(mean) - lgamma(Double(k) + 1))
}

/// Negative binomial pmf with mean m and variance v, from its definition.
func negativeBinomialPMF(_ k: Int, mean m: Double, variance v: Double) -> Double {
    let r = m * m / (v - m)
    let q = m / v
    let x = Double(k)
    let logCoefficient: Double = lgamma(x + r) - lgamma(r) - lgamma(x + 1)
    let logPowers: Double = r * log(q) + x * log(1 - q)
    return exp(logCoefficient + logPowers)
}

/// Erlang's loss formula from its definition: B(S, a) = (aˢ/S!) / Σ_{k≤S} aᵏ/k!, in logs; a node with
/// base stock S whose requests spill over when it is empty fills 1 − B and holds S − a·(1 − B) on average.
func erlangLoss(level: Int, load a: Double) -> (fill: Double, onHand: Double) {
    if level <= 0 { return (0, 0) }
    let logTerms = (0...level).map { Double($0) * log(a) - lgamma(Double($0) + 1) }
    let top = logTerms.max()!
    let total = logTerms.reduce(0) { $0 + exp($1 - top) }
    let blocking = exp(logTerms[level] - top) / total
    return (1 - blocking, Double(level) - a * (1 - blocking))
}

@Test func poissonLossSystemIsErlangB() {
    for mean in [0.05, 0.3, 2.5, 17.0, 120.0, 390.0] {
        let distribution = LeadTimeDemand(mean: mean, variance: mean)
        #expect(distribution.kind == .poisson)
        for level in [0, 1, 2, 3, Int(mean / 2), Int(mean), Int(mean + 3 * mean.squareRoot()) + 1] {
            let expected = erlangLoss(level: level, load: mean)
            let (fill, onHand) = distribution.lossSystem(level)
            #expect(abs(fill - expected.fill) < 1e-12, "mean \(mean) level \(level)")
            #expect(abs(onHand - expected.onHand) < 1e-9 * max(1, onHand), "mean \(mean) level \(level)")
        }
    }
    // A published value: B(10, 5) = 0.0183846 (Erlang B tables).
    #expect(abs(1 - LeadTimeDemand(mean: 5, variance: 5).lossSystem(10).fillRate - 0.0183846) < 5e-8)
}

/// For a negative binomial the loss form truncates its own distribution at S (the Poisson case above
/// is the same rule): F(S − 1)/F(S) and E[(S − D)⁺]/F(S), here from the definition of the pmf.
@Test func negativeBinomialLossSystemIsTheTruncatedDistribution() {
    let mean = 6.0, variance = 15.0
    let distribution = LeadTimeDemand(mean: mean, variance: variance)
    for level in [1, 2, 5, 9, 20] {
        var below = 0.0, through = 0.0, shortfall = 0.0
        for k in 0...level {
            let probability = negativeBinomialPMF(k, mean: mean, variance: variance)
            if k < level { below += probability }
            through += probability
            shortfall += Double(level - k) * probability
        }
        let (fill, onHand) = distribution.lossSystem(level)
        #expect(abs(fill - below / through) < 1e-12, "level \(level)")
        #expect(abs(onHand - shortfall / through) < 1e-9, "level \(level)")
    }
}

/// Where the normal takes over, its loss form against Erlang B from the definition, over base stocks
/// from well below the mean (where Φ underflows without the tail form) to the mean + 4 sd.
@Test func normalLossSystemErrorIsSmallWhereUsed() {
    for mean in [401.0, 2500.0] {
        let distribution = LeadTimeDemand(mean: mean, variance: mean)
        #expect(distribution.kind == .normal)
        var worstFill = 0.0, worstOnHand = 0.0
        for level in stride(from: 1, through: Int(mean + 4 * mean.squareRoot()), by: max(1, Int(mean) / 40)) {
            let expected = erlangLoss(level: level, load: mean)
            let (fill, onHand) = distribution.lossSystem(level)
            #expect(fill.isFinite && onHand.isFinite)
            if level >= Int(mean) {
                worstFill = max(worstFill, abs(fill - expected.fill))
                worstOnHand = max(worstOnHand, abs(onHand - expected.onHand) / max(1, expected.onHand))
            }
        }
        print("normal loss form: mean \(mean): worst fill-rate error \(worstFill), relative on-hand error \(worstOnHand)")
        #expect(worstFill < 0.01)
        #expect(worstOnHand < 0.01)
    }
}

/// Far below the mean (S < mean − 3σ) the loss form is exact whatever the mean: the normal's truncation
/// there gave an in-stock probability of 0.44 at S = 40 and a mean of 401 where Erlang B gives 0.10, and
/// that jump where the normal takes over (a mean of 400) kept fixed points from converging at 100 k
/// products. Across that mean the loss form now moves continuously.
@Test func lossSystemFarBelowTheMeanIsExactAndContinuousAcrossTheNormalLimit() {
    for (mean, level) in [(401.0, 40), (2500.0, 300), (900.0, 1)] {
        let expected = erlangLoss(level: level, load: mean)
        let (fill, onHand) = LeadTimeDemand(mean: mean, variance: mean).lossSystem(level)
        #expect(abs(fill - expected.fill) < 1e-12)
        #expect(abs(onHand - expected.onHand) < 1e-9 * max(1, expected.onHand))
    }
    let below = LeadTimeDemand(mean: 399.99, variance: 640), above = LeadTimeDemand(mean: 400.01, variance: 640)
    #expect(below.kind != .normal && above.kind == .normal)
    for level in [16, 40, 200, 300] {
        #expect(abs(below.lossSystem(level).fillRate - above.lossSystem(level).fillRate) < 1e-4, "S = \(level)")
    }
}

/// Far below the mean the negative binomial's loss form is exact even where P(D = 0) underflows
/// (log P(0) < −690): there it fell back to the normal's truncation, in stock 0.35 points off, and a
/// fast mover's node whose log P(0) hovered at −690 (mean 723, variance 794, S = 51; product 6221 of
/// `generate --products 10000 --seed 1`) kept its fixed point from converging. Checked against the pmf
/// computed from log-gamma, summed in logs.
@Test func negativeBinomialLossSystemIsExactWhereItsZeroUnderflows() {
    func reference(mean: Double, variance: Double, level: Int) -> (fill: Double, onHand: Double) {
        let size = mean * mean / (variance - mean)
        let p = mean / (size + mean)
        let logPMF = (0...level).map { k -> Double in
            let k = Double(k)
            return lgamma(k + size) - lgamma(size) - lgamma(k + 1) + size * log1p(-p) + k * log(p)
        }
        // Everything relative to the largest term, so nothing underflows.
        let top = logPMF.max()!
        let pmf = logPMF.map { exp($0 - top) }
        var cumulative = [Double](repeating: 0, count: level + 1)
        var running = 0.0
        for k in 0...level {
            running += pmf[k]
            cumulative[k] = running
        }
        let onHand = (0..<level).reduce(0) { $0 + cumulative[$1] }
        return (cumulative[level - 1] / cumulative[level], onHand / cumulative[level])
    }
    for (mean, variance, level) in [(723.0, 794.0, 51), (722.0, 790.0, 51), (1500.0, 1700.0, 300), (5000.0, 5400.0, 1)] {
        let distribution = LeadTimeDemand(mean: mean, variance: variance)
        let (fill, onHand) = distribution.lossSystem(level)
        let expected = reference(mean: mean, variance: variance, level: level)
        #expect(abs(fill - expected.fill) < 1e-9, "mean \(mean) variance \(variance) S = \(level)")
        #expect(abs(onHand - expected.onHand) < 1e-9 * max(1, expected.onHand), "mean \(mean) variance \(variance) S = \(level)")
    }
}

@Test func poissonBaseStockMatchesClosedForms() {
    for mean in [0.3, 2.5, 17.0, 120.0] {
        let distribution = LeadTimeDemand(mean: mean, variance: mean)
        #expect(distribution.kind == .poisson)
        for level in [0, 1, 3, Int(mean), Int(mean + 3 * mean.squareRoot()) + 1] {
            var fill = 0.0, onHand = 0.0
            for k in 0..<level {
                fill += poissonPMF(k, mean)
                onHand += Double(level - k) * poissonPMF(k, mean)
            }
            let (modelFill, modelOnHand) = distribution.baseStock(level)
            #expect(abs(modelFill - fill) < 1e-12)
            #expect(abs(modelOnHand - onHand) < 1e-9 * max(1, onHand))
            // EBO = E[(D − S)⁺] from the definition.
            var backorders = 0.0
            for k in level..<(level + 2000) { backorders += Double(k - level) * poissonPMF(k, mean) }
            #expect(abs(distribution.expectedBackorders(level) - backorders) < 1e-8 * max(1, backorders))
        }
    }
}

@Test func negativeBinomialMatchesItsDefinition() {
    let mean = 6.0, variance = 15.0
    let distribution = LeadTimeDemand(mean: mean, variance: variance)
    guard case .negativeBinomial = distribution.kind else {
        Issue.record("expected a negative binomial")
        return
    }
    let table = distribution.probabilities(upTo: 60)
    for k in 0...60 { #expect(abs(table[k] - negativeBinomialPMF(k, mean: mean, variance: variance)) < 1e-13) }
    var first = 0.0, second = 0.0
    for (k, probability) in table.enumerated() {
        first += Double(k) * probability
        second += Double(k * k) * probability
    }
    #expect(abs(first - mean) < 1e-6)
    #expect(abs(second - first * first - variance) < 1e-4)
}

/// The normal approximation replaces the exact distribution only above `exactMeanLimit` with skewness
/// at most `normalSkewnessLimit`, or where P(D = 0) underflows. Its error there is measured against the
/// exact pmf (computed here from lgamma) over every base stock from the mean to the mean + 4 sd, and
/// reported in docs/solver.md.
@Test(arguments: [(401.0, 1.0), (900.0, 3.0), (3700.0, 10.0), (3000.0, 10.0), (20000.0, 40.0)])
func normalApproximationErrorIsSmallWhereUsed(mean: Double, vmr: Double) {
    let variance = vmr * mean
    let approximate = LeadTimeDemand(mean: mean, variance: variance)
    #expect(approximate.kind == .normal)
    let sd = variance.squareRoot()
    let top = Int(mean + 4 * sd)
    var cumulative = [Double](repeating: 0, count: top + 2)
    var onHand = [Double](repeating: 0, count: top + 2)
    var running = 0.0, stock = 0.0
    for k in 0...top {
        // onHand[k] = E[(k − D)⁺] = Σ_{j<k} F(j); cumulative[k] = F(k − 1) = P(D ≤ k − 1).
        cumulative[k] = running
        onHand[k] = stock
        running += vmr == 1 ? poissonPMF(k, mean) : negativeBinomialPMF(k, mean: mean, variance: variance)
        stock += running
    }
    var worstFill = 0.0, worstOnHand = 0.0
    for level in stride(from: Int(mean), through: top, by: max(1, Int(sd / 16))) {
        let b = approximate.baseStock(level)
        worstFill = max(worstFill, abs(cumulative[level] - b.fillRate))
        worstOnHand = max(worstOnHand, abs(onHand[level] - b.onHand) / max(1, onHand[level]))
    }
    print("normal approximation: mean \(mean) VMR \(vmr) skewness \(LeadTimeDemand.skewness(mean: mean, variance: variance)): worst fill-rate error \(worstFill), relative on-hand error \(worstOnHand)")
    #expect(worstFill < 0.01)
    #expect(worstOnHand < 0.01)
}

@Test func normalQuantileInvertsTheCDF() {
    for p in [1e-6, 0.01, 0.3, 0.5, 0.9, 0.999999] {
        #expect(abs(StandardNormal.cdf(StandardNormal.quantile(p)) - p) < 1e-14)
    }
}
