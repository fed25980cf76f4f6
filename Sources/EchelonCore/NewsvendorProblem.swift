// The capacitated multi-item newsvendor (Hadley & Whitin; reference notes §2.4) as a decomposable
// problem: the oracle that checks the Lagrangian master against a problem with a known optimum.

/// One item: normal demand, holding and shortage cost per unit, capacity used per unit ordered.
public struct NewsvendorItem: Sendable, Hashable {
    public var mean: Double
    public var sd: Double
    public var holding: Double
    public var shortage: Double
    public var volume: Double
    public init(mean: Double, sd: Double, holding: Double, shortage: Double, volume: Double) {
        self.mean = mean
        self.sd = sd
        self.holding = holding
        self.shortage = shortage
        self.volume = volume
    }

    /// E[h(y − D)⁺ + p(D − y)⁺].
    public func expectedCost(_ y: Double) -> Double {
        let over = StandardNormal.expectedShortfallBelow(y, mean: mean, sd: sd)
        let under = over - (y - mean)
        return holding * over + shortage * under
    }

    /// The order minimising cost + price · volume · y: the critical fractile (p − λv)/(p + h).
    public func bestOrder(price: Double) -> Double {
        let fractile = (shortage - price * volume) / (shortage + holding)
        if fractile <= 0 { return 0 }
        return mean + sd * StandardNormal.quantile(min(fractile, 1 - 1e-16))
    }
}

/// Items sharing one capacity `Σ volume·y ≤ capacity`.
public final class NewsvendorProblem: DecomposableProblem, @unchecked Sendable {
    public let items: [NewsvendorItem]
    public let capacity: Double
    public var limits: [Double] { [capacity] }
    private var relaxed: [Double] = []
    private var repaired: [Double] = []
    /// Orders of the best plan kept by the master.
    public private(set) var bestOrders: [Double] = []

    public init(items: [NewsvendorItem], capacity: Double) {
        self.items = items
        self.capacity = capacity
    }

    public func relax(prices: [Double]) -> Relaxation {
        let price = prices[0]
        relaxed = items.map { $0.bestOrder(price: price) }
        var priced = 0.0, use = 0.0, cost = 0.0
        for (item, y) in zip(items, relaxed) {
            cost += item.expectedCost(y)
            use += item.volume * y
        }
        priced = cost + price * use
        return Relaxation(pricedValue: priced, use: [use], cost: cost, exact: true)
    }

    /// The continuous greedy: free capacity where it costs least per unit, i.e. raise one common price
    /// (bisection) until the orders fit, never below the relaxation's own price.
    public func repair() -> PrimalCandidate {
        func use(_ price: Double) -> Double { items.reduce(0) { $0 + $1.volume * $1.bestOrder(price: price) } }
        let orders: [Double]
        if relaxed.isEmpty || zip(items, relaxed).reduce(0, { $0 + $1.0.volume * $1.1 }) <= capacity {
            orders = relaxed.isEmpty ? items.map { $0.bestOrder(price: 0) } : relaxed
        } else {
            var low = 0.0, high = 1.0
            while use(high) > capacity { high *= 2 }
            for _ in 0..<200 {
                let mid = 0.5 * (low + high)
                if use(mid) > capacity { low = mid } else { high = mid }
            }
            orders = items.map { $0.bestOrder(price: high) }
        }
        repaired = orders
        let cost = zip(items, orders).reduce(0) { $0 + $1.0.expectedCost($1.1) }
        return PrimalCandidate(cost: cost, use: [zip(items, orders).reduce(0) { $0 + $1.0.volume * $1.1 }])
    }

    public func keepRepairedAsBest() { bestOrders = repaired }
}
