// Lead-time demand and the base-stock quantities derived from it (DESIGN §4).
//
// Demand over a random lead time L has mean μ·E[L] and variance E[L]·σ² + μ²·Var[L]. It is modelled
// as Poisson when the variance equals the mean, as a negative binomial with the same two moments when
// it is larger, and, only for large means, as a normal: the pmf walk costs O(S) and underflows there.
// The error of that switch is measured in the tests (DistributionTests) and reported in docs/solver.md.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The distribution of demand over a lead time, chosen from its first two moments.
public struct LeadTimeDemand: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Always zero (no load or no lead time).
        case zero
        case poisson
        /// Negative binomial with `size` r and success odds θ = mean / (r + mean).
        case negativeBinomial(size: Double)
        /// Normal with continuity correction; used only above `exactMeanLimit`.
        case normal
    }

    /// Above this mean, and only when the skewness is below `normalSkewnessLimit`, the normal
    /// approximation replaces the exact pmf walk (whose cost grows with the mean).
    public static let exactMeanLimit = 400.0
    public static let normalSkewnessLimit = 0.1

    /// Skewness of the discrete model: (2·variance − mean) / (mean·sd); 1/√mean for a Poisson.
    public static func skewness(mean: Double, variance: Double) -> Double {
        mean > 0 ? (2 * variance - mean) / (mean * variance.squareRoot()) : 0
    }

    public let mean: Double
    public let variance: Double
    public let kind: Kind
    /// log P(D = 0) for the discrete kinds.
    @usableFromInline let logZero: Double

    /// The exact (Poisson / negative binomial) model of these moments, or the normal for large means.
    public init(mean: Double, variance: Double) {
        self.init(mean: mean, variance: variance, allowNormal: true)
    }

    /// `allowNormal: false` forces the exact distribution (tests measure the approximation against it).
    public init(mean: Double, variance: Double, allowNormal: Bool) {
        let mean = max(0, mean)
        let variance = max(variance, mean)
        self.mean = mean
        self.variance = variance
        if mean < 1e-12 {
            kind = .zero
            logZero = 0
            return
        }
        let excess = variance - mean
        var kind: Kind
        var logZero: Double
        if excess <= 1e-9 * mean {
            kind = .poisson
            logZero = -mean
        } else {
            let size = mean * mean / excess
            kind = .negativeBinomial(size: size)
            logZero = -size * log1p(mean / size)
        }
        // The walk starts at P(D = 0), which underflows for very large means: the normal takes over there.
        let skewed = Self.skewness(mean: mean, variance: variance) > Self.normalSkewnessLimit
        if allowNormal && ((mean > Self.exactMeanLimit && !skewed) || logZero < -690) {
            kind = .normal
            logZero = 0
        }
        self.kind = kind
        self.logZero = logZero
    }

    /// Whether the exact discrete model is used (false: normal approximation).
    public var isExact: Bool { kind != .normal }

    public var standardDeviation: Double { variance.squareRoot() }

    /// P(D = k) for every k in 0...upTo, computed by the pmf recursion (for tests and tables).
    public func probabilities(upTo: Int) -> [Double] {
        var walker = PMFWalker(self)
        return (0...max(0, upTo)).map { _ in walker.next() }
    }

    /// In-stock probability P(D ≤ S − 1) and E[(S − D)⁺] for base stock S (the (S−1, S) policy).
    @inlinable public func baseStock(_ level: Int) -> (fillRate: Double, onHand: Double) {
        if level <= 0 { return (0, 0) }
        switch kind {
        case .zero:
            return (1, Double(level))
        case .normal:
            let sd = standardDeviation
            let s = Double(level)
            let fill = normalCDF((s - 0.5 - mean) / sd)
            let z = (s - mean) / sd
            return (fill, (s - mean) * normalCDF(z) + sd * normalPDF(z))
        case .poisson, .negativeBinomial:
            var walker = PMFWalker(self)
            var cumulative = 0.0
            var onHand = 0.0
            var j = 0
            while j < level {
                cumulative += walker.next()
                onHand += cumulative
                j += 1
                if cumulative > 1 - 1e-15 {
                    onHand += Double(level - j) * cumulative
                    break
                }
            }
            return (min(1, cumulative), onHand)
        }
    }

    /// In-stock probability and E[on hand] for base stock S at a node whose requests spill over (go to
    /// the next node, or are lost) when it is empty. Such a request orders no replenishment, so the
    /// outstanding orders are the lead-time demand of the offered load truncated at S: for Poisson
    /// demand this is Erlang's loss system, exact for any lead-time distribution, with in-stock
    /// probability 1 − B(S, a) and on hand S − a·(1 − B(S, a)); for the other kinds the same
    /// truncation of their distribution: F(S − 1)/F(S) and E[(S − D)⁺]/F(S).
    @inlinable public func lossSystem(_ level: Int) -> (fillRate: Double, onHand: Double) {
        if level <= 0 { return (0, 0) }
        switch kind {
        case .zero:
            return (1, Double(level))
        case .poisson:
            // Erlang B by its recursion: stable for any load, no factorials.
            var blocking = 1.0
            for servers in 1...level {
                let x = mean * blocking
                blocking = x / (Double(servers) + x)
            }
            return (1 - blocking, max(0, Double(level) - mean * (1 - blocking)))
        case .negativeBinomial:
            var walker = PMFWalker(self)
            var cumulative = 0.0
            var previous = 0.0
            var partialOnHand = 0.0
            var j = 0
            // After j steps: cumulative = F(j − 1), partialOnHand = Σ_{k<j} F(k) = E[(j − D)⁺].
            while j <= level {
                previous = cumulative
                cumulative += walker.next()
                if j < level { partialOnHand += cumulative }
                j += 1
                if cumulative > 1 - 1e-15 && j <= level {
                    partialOnHand += Double(level - j) * cumulative
                    previous = cumulative
                    break
                }
            }
            guard cumulative > 0 else { return (0, 0) }
            return (min(1, previous / cumulative), partialOnHand / cumulative)
        case .normal:
            let sd = standardDeviation
            let s = Double(level)
            // Far below the mean the normal's truncation is no model of a loss system (S = 40 at a mean of
            // 400: in stock 0.44 where Erlang B says 0.10), and the jump at the mean where the normal
            // takes over kept products' fixed points from converging at 100 k products (a node's mean
            // crossing 400 back and forth, its fill 0.14 ↔ 0.54, the plan's use off by 2 ft³ at FC-EWR).
            // There the exact form is short (O(S)): Erlang B's recursion for any load, the negative
            // binomial's walk wherever its P(D = 0) does not underflow.
            // Where P(D = 0) underflows, the negative binomial's walk runs scaled (its ratios do not need
            // the scale): falling back to the normal there was the same jump, at log P(0) = −690.
            if s < mean - 3 * sd {
                let exact = LeadTimeDemand(mean: mean, variance: variance, allowNormal: false)
                if exact.kind == .poisson || exact.logZero >= -690 { return exact.lossSystem(level) }
                if case .negativeBinomial(let size) = exact.kind { return exact.scaledNegativeBinomialLoss(level, size: size) }
            }
            // Continuity-corrected as `baseStock`: F(S) ≈ Φ((S + ½ − m)/sd), F(S − 1) ≈ Φ((S − ½ − m)/sd),
            // E[(S − D)⁺] ≈ (S − m)Φ(z) + sd·φ(z); far below the mean (Φ underflows) in logs and the
            // tail form (S − m) + sd·φ(z)/Φ(z) ≈ sd/(−z).
            let upper = (s + 0.5 - mean) / sd, lower = (s - 0.5 - mean) / sd
            let fill = exp(logNormalCDF(lower) - logNormalCDF(upper))
            let z = (s - mean) / sd
            let onHand: Double
            if upper > -30 {
                onHand = ((s - mean) * normalCDF(z) + sd * normalPDF(z)) / normalCDF(upper)
            } else {
                onHand = sd / -z
            }
            return (min(1, fill), max(0, onHand))
        }
    }

    /// The negative binomial's loss form by its pmf walk started at 1 instead of P(D = 0): in stock
    /// F(S − 1)/F(S) and on hand E[(S − D)⁺]/F(S) are ratios of the walk's sums, so the scale cancels
    /// and P(D = 0) may underflow. The sums are scaled down before they could overflow.
    @usableFromInline func scaledNegativeBinomialLoss(_ level: Int, size: Double) -> (fillRate: Double, onHand: Double) {
        let p = mean / (size + mean)
        var probability = 1.0, cumulative = 0.0, previous = 0.0, partialOnHand = 0.0
        for j in 0...level {
            previous = cumulative
            cumulative += probability
            if j < level { partialOnHand += cumulative }
            probability *= p * (Double(j) + size) / Double(j + 1)
            if cumulative > 1e280 {
                probability *= 1e-280
                cumulative *= 1e-280
                previous *= 1e-280
                partialOnHand *= 1e-280
            }
        }
        return (min(1, previous / cumulative), partialOnHand / cumulative)
    }

    /// Expected backorders E[(D − S)⁺] = E[(S − D)⁺] − S + E[D].
    @inlinable public func expectedBackorders(_ level: Int) -> Double {
        max(0, baseStock(level).onHand - Double(max(0, level)) + mean)
    }
}

/// Walks P(D = 0), P(D = 1), … by the recurrence of the distribution (no factorials, no allocation).
public struct PMFWalker {
    @usableFromInline var current: Double
    @usableFromInline var k: Double = 0
    @usableFromInline let ratio: Double
    @usableFromInline let size: Double
    @usableFromInline let isPoisson: Bool

    @inlinable public init(_ distribution: LeadTimeDemand) {
        switch distribution.kind {
        case .zero, .normal:
            current = 1
            ratio = 0
            size = 0
            isPoisson = true
        case .poisson:
            current = exp(distribution.logZero)
            ratio = distribution.mean
            size = 0
            isPoisson = true
        case .negativeBinomial(let r):
            current = exp(distribution.logZero)
            ratio = distribution.mean / (r + distribution.mean)
            size = r
            isPoisson = false
        }
    }

    /// The probability of the next value, starting at 0.
    @inlinable public mutating func next() -> Double {
        let value = current
        // The factor does not depend on the running probability, so its division runs beside the walk
        // instead of on its critical path (one multiply per step there instead of a multiply and a divide).
        let factor = isPoisson ? ratio / (k + 1) : ratio * (k + size) / (k + 1)
        current = value * factor
        k += 1
        return value
    }
}

@inlinable func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
@inlinable func normalPDF(_ z: Double) -> Double { exp(-0.5 * z * z) / (2 * Double.pi).squareRoot() }
/// log Φ(z), accurate far into the lower tail (where Φ itself underflows): the asymptotic series there.
@inlinable func logNormalCDF(_ z: Double) -> Double {
    if z > -30 { return log(normalCDF(z)) }
    let inverseSquare = 1 / (z * z)
    return -0.5 * z * z - log(-z) - 0.5 * log(2 * Double.pi) + log1p(-inverseSquare + 3 * inverseSquare * inverseSquare)
}

/// Inverse of the standard normal CDF (Acklam's rational approximation refined by one Halley step).
public func normalQuantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "normalQuantile needs p in (0, 1)")
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
             -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
             -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
             4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    var x: Double
    if p < low {
        let q = (-2 * log(p)).squareRoot()
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    } else if p <= 1 - low {
        let q = p - 0.5
        let r = q * q
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    } else {
        let q = (-2 * log(1 - p)).squareRoot()
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    // Two Halley steps take the approximation (1e-9) to machine precision.
    for _ in 0..<2 {
        let e = normalCDF(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
    }
    return x
}

/// Standard normal density and distribution, public for tests and the newsvendor oracle.
public enum StandardNormal {
    public static func cdf(_ z: Double) -> Double { normalCDF(z) }
    public static func pdf(_ z: Double) -> Double { normalPDF(z) }
    public static func quantile(_ p: Double) -> Double { normalQuantile(p) }
    /// E[(y − X)⁺] for X ~ N(mean, sd²).
    public static func expectedShortfallBelow(_ y: Double, mean: Double, sd: Double) -> Double {
        let z = (y - mean) / sd
        return (y - mean) * normalCDF(z) + sd * normalPDF(z)
    }
}
