// Means and confidence intervals across replications (each replication is one independent sample).

/// A mean with a two-sided 95 % confidence interval (Student's t across replications).
public struct Estimate: Sendable, Hashable, Codable {
    public var mean: Double
    public var low: Double
    public var high: Double
    public var halfWidth: Double { (high - low) / 2 }

    public init(mean: Double, low: Double, high: Double) {
        self.mean = mean
        self.low = low
        self.high = high
    }

    /// The estimate from independent samples; one sample gives a zero-width interval.
    public init(samples: [Double]) {
        let finite = samples.filter(\.isFinite)
        let n = Double(finite.count)
        guard n > 0 else {
            self.init(mean: .nan, low: .nan, high: .nan)
            return
        }
        let mean = finite.reduce(0, +) / n
        guard finite.count > 1 else {
            self.init(mean: mean, low: mean, high: mean)
            return
        }
        let variance = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let half = Estimate.tQuantile975(degreesOfFreedom: finite.count - 1) * (variance / n).squareRoot()
        self.init(mean: mean, low: mean - half, high: mean + half)
    }

    public func contains(_ value: Double) -> Bool { value >= low && value <= high }

    /// The interval cut to a range the quantity cannot leave (a share stays within 0...1).
    public func clamped(to range: ClosedRange<Double>) -> Estimate {
        Estimate(mean: mean, low: max(range.lowerBound, low), high: min(range.upperBound, high))
    }

    /// The 97.5 % quantile of Student's t.
    public static func tQuantile975(degreesOfFreedom df: Int) -> Double {
        let table: [Double] = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
            2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
            2.045, 2.042,
        ]
        if df < 1 { return .nan }
        if df <= table.count { return table[df - 1] }
        if df <= 60 { return 2.000 + (2.042 - 2.000) * Double(60 - df) / 30 }
        if df <= 120 { return 1.980 + (2.000 - 1.980) * Double(120 - df) / 60 }
        return 1.960
    }
}

/// The p-th quantile (0...1) by linear interpolation between order statistics.
public func quantile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let position = p * Double(sorted.count - 1)
    let below = Int(position.rounded(.down))
    let above = min(below + 1, sorted.count - 1)
    let fraction = position - Double(below)
    return sorted[below] + (sorted[above] - sorted[below]) * fraction
}
