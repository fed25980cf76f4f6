// The public face of the product model: what the planning model expects of one product under a given
// vendor and base stocks (used by the simulation to compare prediction with play), and the product's
// subproblem for given prices.

import Dispatch
import EchelonModel

/// What the model expects at one node for one product.
public struct NodeOutcome: Sendable, Hashable {
    public var node: Int
    public var baseStock: Int
    /// Requests per day reaching the node (λ): the streams whose cheaper options were out of stock.
    public var load: Double
    /// Probability a request finds stock here (A).
    public var fillRate: Double
    public var expectedOnHand: Double
    /// Units per day shipped to customers (λ·A).
    public var outboundPerDay: Double
    /// Units per day received: its own shipments plus what the nodes it supplies receive.
    public var inboundPerDay: Double
    /// Mean replenishment lead time in days, including the supplier's METRIC delay EBO/λ.
    public var leadTimeDays: Double
    /// Expected backorders on the node's replenishment orders and requests (EBO).
    public var expectedBackorders: Double
    /// Mean and variance of the lead-time demand the node's stock is sized against.
    public var leadTimeDemandMean: Double
    public var leadTimeDemandVariance: Double
}

/// What the model expects of one product under one plan.
public struct ProductEvaluation: Sendable {
    public var product: Int
    /// Index into `Scenario.productVendors`.
    public var vendorChoice: Int
    /// Every node that can hold the product, suppliers first.
    public var nodes: [NodeOutcome]
    /// Units per day per speed.
    public var speedDemand: [Double]
    /// Units per day per speed served within the promise.
    public var speedServedOnTime: [Double]
    /// Units per day no node served (lost, or backordered under the backorder policy).
    public var unservedPerDay: Double
    public var costs: CostBreakdown
    /// `costs.total` plus the priced use of the shared capacities (equal to it without prices).
    public var pricedCost: Double
    /// Whether the distributions used were all exact (no normal approximation).
    public var exactDistributions: Bool

    /// Fill rate per speed: share of the speed's demand served within its promise.
    public var fillRateBySpeed: [Double] {
        zip(speedServedOnTime, speedDemand).map { $1 > 0 ? $0 / $1 : 1 }
    }
}

/// Evaluates and optimises single products. Cheap to create; not for hot loops (the solver keeps its
/// own workspaces).
public struct ProductEvaluator: Sendable {
    public let model: PlanningModel

    public init(model: PlanningModel) { self.model = model }
    public init(scenario: Scenario) { self.model = PlanningModel(scenario: scenario) }

    /// The model's expectation for `product` bought from `productVendors[vendorChoice]` with the given
    /// base stock per global node index (nodes missing from the dictionary hold 0).
    public func evaluate(product: Int, vendorChoice: Int, baseStock: [Int: Int], prices: Prices? = nil) -> ProductEvaluation {
        let workspace = ProductWorkspace(model: model)
        workspace.prepare(product: product, vendorChoice: vendorChoice, prices: prices)
        let template = workspace.template
        for i in 0..<workspace.nodeCount { workspace.baseStock[i] = max(0, baseStock[Int(template.nodes[i])] ?? 0) }
        workspace.resetFillGuess()
        workspace.evaluate()
        return Self.capture(workspace)
    }

    /// Evaluates every product of a plan (positions grouped by product), in product order.
    public func evaluate(plan: Plan) -> [ProductEvaluation] {
        var stocks = [[Int: Int]](repeating: [:], count: model.scenario.products.count)
        for position in plan.positions { stocks[Int(position.product)][Int(position.node)] = Int(position.baseStock) }
        return model.scenario.products.indices.map {
            evaluate(product: $0, vendorChoice: Int(plan.vendorChoice[$0]), baseStock: stocks[$0])
        }
    }

    /// The product's subproblem: the vendor and base stocks minimising its priced cost. `exact` says
    /// whether the result is provably optimal.
    public func optimise(product: Int, prices: Prices) -> (evaluation: ProductEvaluation, exact: Bool) {
        let workspace = ProductWorkspace(model: model)
        let result = workspace.solveSubproblem(product: product, prices: prices, warmVendor: nil, warmStocks: nil)
        return (Self.capture(workspace), result.exact)
    }

    static func capture(_ w: ProductWorkspace) -> ProductEvaluation {
        let template = w.template
        let nodes = (0..<w.nodeCount).map { i in
            NodeOutcome(
                node: Int(template.nodes[i]), baseStock: w.baseStock[i], load: w.load[i], fillRate: w.fill[i],
                expectedOnHand: w.onHand[i], outboundPerDay: w.served[i], inboundPerDay: w.inbound[i],
                leadTimeDays: w.leadMean[i], expectedBackorders: w.backorders[i], leadTimeDemandMean: w.ltdMean[i],
                leadTimeDemandVariance: w.ltdVariance[i])
        }
        return ProductEvaluation(
            product: w.product, vendorChoice: w.vendorChoice, nodes: nodes, speedDemand: Array(UnsafeBufferPointer(start: w.speedDemand, count: w.speedCount)),
            speedServedOnTime: Array(UnsafeBufferPointer(start: w.speedOnTime, count: w.speedCount)), unservedPerDay: w.lost, costs: w.costs, pricedCost: w.pricedCost,
            exactDistributions: w.allExact)
    }
}

extension ProductWorkspace {
    /// Solves product p's subproblem over its vendors, each from the warm base stocks (or zero).
    /// Leaves the workspace evaluated at the best vendor and base stocks. `searchVendors` (default:
    /// `polishSuppliers`) says whether a warm product tries every vendor or keeps `warmVendor`;
    /// `vendorMargin` is the share of the priced cost by which the best vendor beat the next (nil when
    /// one vendor was tried).
    func solveSubproblem(product p: Int, prices: Prices, warmVendor: Int?, warmStocks: ArraySlice<Int32>?,
                         warmFills: UnsafePointer<Double>? = nil, polishSuppliers: Bool = true, searchVendors: Bool? = nil)
        -> (vendorChoice: Int, pricedCost: Double, exact: Bool, vendorMargin: Double?)
    {
        let vendors = model.scenario.products[p].vendors
        var bestVendor = -1
        var bestCost = Double.infinity
        var bestStocks = [Int](repeating: 0, count: 0)
        var exact = true
        // Between polishing relaxations a warm product keeps its vendor: a vendor changes with the prices
        // of a whole chain, rarely from one small price step, and trying each costs a full search. (Not
        // for separable products, whose exact solution keeps the bound certified.)
        var candidates = Array(Int(vendors.lowerBound)..<Int(vendors.upperBound))
        if !(searchVendors ?? polishSuppliers), !model.isSeparable(product: p), let warm = warmVendor, candidates.contains(warm) {
            candidates = [warm]
        }
        // Every unit of demand is bought and every other term of the priced cost is ≥ 0 (prices are), so
        // a vendor whose purchases alone cost at least the best plan found cannot win: vendors are tried
        // cheapest first and the rest skipped from there. (Exact. Vendors' prices differ less than the
        // other costs on the bundled sample, so it skips few: 1.7 % of the solve's evaluations.)
        let productVendors = model.scenario.productVendors
        let demand = model.scenario.products[p].demandMean
        if candidates.count > 1 {
            candidates.sort { (productVendors[$0].unitPrice, $0) < (productVendors[$1].unitPrice, $1) }
        }
        var lastSearched = -1
        // Whether a vendor screened out was prepared after the last search (the workspace then holds the
        // last search's levels and fill rates under that vendor's parameters).
        var screenedLast = false
        fixedPointTolerance = Self.searchTolerance
        defer { fixedPointTolerance = Self.exactTolerance }
        // The cheapest of the other vendors' costs (for one the screen skipped, its purchases, which it
        // costs at least): how far the choice is from changing.
        var runnerUp = Double.infinity
        for v in candidates {
            if bestVendor >= 0 && productVendors[v].unitPrice * demand >= bestCost {
                runnerUp = min(runnerUp, productVendors[v].unitPrice * demand)
                break
            }
            prepare(product: p, vendorChoice: v, prices: prices)
            if bestVendor >= 0 {
                // Exact too (up to the fixed point's tolerance, which matters only where nothing is held):
                // what the vendor's units cost bought and served (or lost) at the cheapest, with no stock
                // held, is more than the best plan's whole cost. (A second vendor is mostly nearer and
                // dearer: at 10 k products 3 614 were searched in the first relaxation, 52 won.)
                let floor = servingLowerBound()
                if floor >= bestCost {
                    runnerUp = min(runnerUp, floor)
                    screenedLast = true
                    continue
                }
            }
            if let warm = warmStocks {
                var j = warm.startIndex
                for i in 0..<nodeCount {
                    baseStock[i] = Int(warm[j])
                    j += 1
                }
            } else if !bestStocks.isEmpty {
                // Cold: another vendor's optimum differs mostly in the supplying nodes' levels, so the
                // search starts there rather than from nothing (a cold subproblem cost two full searches).
                for i in 0..<nodeCount { baseStock[i] = bestStocks[i] }
            } else {
                for i in 0..<nodeCount { baseStock[i] = 0 }
            }
            if let fills = warmFills { startFills(from: fills) } else { resetFillGuess() }
            let cost = optimiseBaseStocks(polishSuppliers: polishSuppliers)
            lastSearched = v
            screenedLast = false
            exact = exact && lastOptimisationExact
            if cost < bestCost || bestVendor < 0 {
                if bestVendor >= 0 { runnerUp = min(runnerUp, bestCost) }
                bestCost = cost
                bestVendor = v
                if candidates.count > 1 { bestStocks = Array(UnsafeBufferPointer(start: baseStock, count: nodeCount)) }
            } else {
                runnerUp = min(runnerUp, cost)
            }
        }
        let searchedCost = bestCost
        // The answer is evaluated to the exact tolerance (from the search's fill rates when the workspace
        // still holds the best vendor's state).
        fixedPointTolerance = Self.exactTolerance
        if bestVendor != lastSearched {
            prepare(product: p, vendorChoice: bestVendor, prices: prices)
            for i in 0..<nodeCount { baseStock[i] = bestStocks[i] }
            resetFillGuess()
        } else if screenedLast {
            prepare(product: p, vendorChoice: bestVendor, prices: prices)
        }
        bestCost = evaluate()
        let margin: Double? =
            candidates.count > 1 ? (runnerUp.isFinite ? (runnerUp - searchedCost) / max(1e-12, abs(searchedCost)) : .infinity) : nil
        return (bestVendor, bestCost, exact, margin)
    }
}

extension ProductEvaluator {
    /// Product evaluations per second on this thread: every product of the plan, round after round,
    /// for about `seconds` (the benchmark's measure of the inner loop).
    public func evaluationsPerSecond(plan: Plan, seconds: Double) -> Double {
        let workspace = ProductWorkspace(model: model)
        let productCount = model.scenario.products.count
        guard productCount > 0 else { return 0 }
        var stocks = [[Int32]](repeating: [], count: productCount)
        for p in 0..<productCount { stocks[p] = [Int32](repeating: 0, count: model.templates[Int(model.templateOfProduct[p])].nodeCount) }
        var local = [Int: Int]()
        var last = -1
        for position in plan.positions {
            let p = Int(position.product)
            if p != last {
                local = [:]
                for (i, n) in model.templates[Int(model.templateOfProduct[p])].nodes.enumerated() { local[Int(n)] = i }
                last = p
            }
            if let i = local[Int(position.node)] { stocks[p][i] = position.baseStock }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        var count = 0
        var elapsed = 0.0
        repeat {
            for p in 0..<productCount {
                workspace.prepare(product: p, vendorChoice: Int(plan.vendorChoice[p]), prices: nil)
                for i in 0..<workspace.nodeCount { workspace.baseStock[i] = Int(stocks[p][i]) }
                workspace.resetFillGuess()
                workspace.evaluate()
                count += 1
                if count % 256 == 0 {
                    elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    if elapsed >= seconds { break }
                }
            }
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return Double(count) / elapsed
    }
}
