// Random numbers for the simulation: a small, fast generator whose stream is fixed by (seed, product,
// replication, purpose), so results do not depend on thread count or on the order work is scheduled,
// and two plans see the same demand (common random numbers).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 step: used to mix seeds and to fill the state of `Xoshiro256`.
@inlinable func splitMix64(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Xoshiro256** (Blackman & Vigna): 256 bits of state, passes BigCrush, a few ns a draw.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// A generator for one purpose of one (product, replication): every key gives an unrelated stream.
    public init(seed: UInt64, keys: UInt64...) {
        var mix = seed
        for key in keys {
            mix = splitMix64(&mix) ^ (key &* 0xD6E8_FEB8_6659_FD93)
        }
        var state = mix
        s0 = splitMix64(&state)
        s1 = splitMix64(&state)
        s2 = splitMix64(&state)
        s3 = splitMix64(&state)
    }

    @inlinable public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in (0, 1): safe for logarithms.
    @inlinable public mutating func openUniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// Standard normal (Marsaglia's polar method; the spare draw is dropped to keep the stream simple).
    public mutating func normal() -> Double {
        while true {
            let u = 2 * uniform() - 1
            let v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * log(s) / s).squareRoot() }
        }
    }

    /// Gamma(shape, scale = 1) by Marsaglia & Tsang (2000); shape < 1 by the boost u^(1/shape).
    public mutating func gamma(shape: Double) -> Double {
        if shape < 1 {
            return gamma(shape: shape + 1) * pow(openUniform(), 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = openUniform()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// Poisson(mean): inversion by sequential search below 30, Hörmann's PTRS above (exact both ways).
    public mutating func poisson(mean: Double) -> Int {
        if mean <= 0 { return 0 }
        if mean < 30 {
            var k = 0
            var probability = exp(-mean)
            var cumulative = probability
            let u = uniform()
            while u > cumulative {
                k += 1
                probability *= mean / Double(k)
                cumulative += probability
                // Guards against round-off leaving cumulative just below u far in the tail.
                if probability < 1e-300 && Double(k) > mean { break }
            }
            return k
        }
        // PTRS: transformed rejection with squeeze (Hörmann 1993).
        let slam = mean.squareRoot()
        let loglam = log(mean)
        let b = 0.931 + 2.53 * slam
        let a = -0.059 + 0.02483 * b
        let invalpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = uniform() - 0.5
            let v = openUniform()
            let us = 0.5 - abs(u)
            let k = floor((2 * a / us + b) * u + mean + 0.43)
            if us >= 0.07 && v <= vr { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(invalpha) - log(a / (us * us) + b) <= -mean + k * loglam - lgamma(k + 1) {
                return Int(k)
            }
        }
    }

    /// Daily demand: Poisson when the variance-to-mean ratio is 1, else negative binomial as the
    /// gamma–Poisson mixture with the same mean and variance.
    public mutating func demand(mean: Double, varianceToMean: Double) -> Int {
        if mean <= 0 { return 0 }
        if varianceToMean <= 1.000_001 { return poisson(mean: mean) }
        let shape = mean / (varianceToMean - 1)
        let rate = gamma(shape: shape) * (varianceToMean - 1)
        return poisson(mean: rate)
    }

    /// A non-negative duration with the given mean and standard deviation: fixed when the deviation is
    /// 0, else gamma with matching moments (never negative, right-skewed like real lead times).
    public mutating func duration(mean: Double, std: Double) -> Double {
        if std <= 0 || mean <= 0 { return max(0, mean) }
        let shape = (mean / std) * (mean / std)
        return gamma(shape: shape) * (std * std / mean)
    }
}
