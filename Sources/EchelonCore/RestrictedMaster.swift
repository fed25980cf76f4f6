// The restricted master over the column pool (see ColumnPool.swift): one earlier plan per product,
// chosen so that their sum fits every limit at the least cost. Chosen by a Lagrangian of its own (each
// product takes its cheapest column at trial prices, the prices move Rprop-style until the sum fits),
// then a greedy exchange for what still does not fit, then one pass of cost-lowering exchanges that
// keep it fitting. Nothing is evaluated: every column's use and cost are exact already.

import Dispatch
import EchelonModel

extension InventoryProblem {
    /// Trial-price rounds of the restricted master at most (each costs a pass over every column).
    static let assemblyPriceRounds = 16
    /// Exchange rounds at most for what the price rounds leave over a limit.
    static let assemblyExchangeRounds = 30

    /// Assembles a plan from the pool, starting the trial prices at `prices`; writes it into the repair's
    /// store (so `keepRepairedAsBest` keeps it) and remembers it as the repair's start when it is closer
    /// to feasible than the relaxation. Nil without a pool.
    func assemble(prices flat: [Double], deadline: UInt64) -> PrimalCandidate? {
        guard let pool = columnPool, !lastRelaxationCarried else { return nil }
        let count = resourceCount
        let active = limits.map { $0.isFinite }
        var price = (0..<count).map { active[$0] ? max(0, flat[$0]) : 0 }
        var choice = [Int8](repeating: 0, count: productCount)
        var bestFeasible: (choice: [Int8], cost: Double)? = nil
        // The relaxation's own plan is the first candidate: the assembly is never further from fitting.
        let relaxationChoice = (0..<productCount).map { relaxationColumn[$0] }
        let relaxationSums = columnTotals(pool: pool, choice: relaxationChoice)
        var closest: (choice: [Int8], violation: Double) = (relaxationChoice, relativeViolation(relaxationSums.use))
        if closest.violation <= 1e-9 { bestFeasible = (relaxationChoice, relaxationSums.cost) }
        // Each price's step, in its own units; 0 until its constraint first crosses its limit.
        var step = [Double](repeating: 0, count: count)
        var lastSide = [Double](repeating: 0, count: count)
        for round in 0..<Self.assemblyPriceRounds {
            if round > 0 && DispatchTime.now().uptimeNanoseconds >= deadline { break }
            let sums = pickCheapestColumns(pool: pool, prices: price, choice: &choice)
            let worst = relativeViolation(sums.use)
            if worst <= 1e-9 {
                if bestFeasible == nil || sums.cost < bestFeasible!.cost { bestFeasible = (choice, sums.cost) }
            }
            if worst < closest.violation { closest = (choice, worst) }
            var moved = false
            for r in 0..<count where active[r] {
                let excess = sums.use[r] - packingLimits[r]
                let side: Double = excess > 1e-9 * max(1, packingLimits[r]) ? 1 : excess < 0 ? -1 : 0
                if side == 0 || (price[r] <= 0 && side < 0) { continue }
                // A first step: a quarter of the price, or, for a price still at zero, a thousandth of the
                // plan's cost per unit of its limit.
                price[r] = signStep(price: price[r], side: side, step: &step[r], lastSide: &lastSide[r]) {
                    price[r] > 0 ? 0.25 * price[r] : 0.1 * abs(sums.cost) / max(1e-12, limits[r]) * 1e-2
                }
                moved = true
            }
            if !moved { break }
        }
        var start = bestFeasible?.choice ?? closest.choice
        var use = columnTotals(pool: pool, choice: start).use
        if relativeViolation(use) > 1e-9 {
            exchangeUntilFeasible(pool: pool, choice: &start, use: &use, deadline: deadline)
        }
        if relativeViolation(use) <= 1e-9 { lowerCostKeepingFit(pool: pool, choice: &start, use: &use) }
        writeColumns(start, from: pool)
        let sums = totals(of: repaired)
        assembledChoice = start
        assembledViolation = relativeViolation(sums.use)
        if MemoryTrace.isEnabled {
            MemoryTrace.mark("assembled: worst relative excess \(assembledViolation)\(overTrace(sums.use)), cost \(sums.cost)")
        }
        return PrimalCandidate(cost: sums.cost, use: sums.use)
    }

    /// The constraints `use` breaks by more than 0.1 %, with their relative excess, for the trace: " (57 +5.2 %, 96 +2.9 %)".
    func overTrace(_ use: [Double]) -> String {
        let over = (0..<limits.count).filter { limits[$0].isFinite && relativeExcess(use[$0], limit: limits[$0]) > 1e-3 }
        if over.isEmpty { return "" }
        let items = over.map { r in "\(r) +\((1000 * relativeExcess(use[r], limit: limits[r])).rounded() / 10) %" }
        return " (" + items.joined(separator: ", ") + ")"
    }

    /// Worst relative excess over the true limits (0 when everything fits).
    func relativeViolation(_ use: [Double]) -> Double { worstRelativeExcess(use, limits: limits) }

    /// Priced cost of product p's column k at `price` (natural units).
    @inline(__always)
    private func pricedColumnCost(pool: ColumnPool, product p: Int, column k: Int, price: UnsafeBufferPointer<Double>) -> Double {
        var value = pool.cost[k * productCount + p]
        let shift = k * pool.positions
        for position in offsets[p]..<offsets[p + 1] {
            let n = Int(pool.node[position])
            value += price[n] * pool.storageUse[shift + position] + price[nodeCount + n] * pool.outboundUse[shift + position]
                + price[2 * nodeCount + n] * pool.inboundUse[shift + position]
        }
        for s in 0..<speedCount { value += price[3 * nodeCount + s] * pool.missed[(k * productCount + p) * speedCount + s] }
        return value
    }

    /// Every product takes its cheapest column at `price`; returns the sums (in a fixed order, so the
    /// same for any thread count).
    private func pickCheapestColumns(pool: ColumnPool, prices price: [Double], choice: inout [Int8])
        -> (use: [Double], cost: Double)
    {
        let picked = SharedBuffer<Int8>(repeating: 0, count: productCount)
        price.withUnsafeBufferPointer { pointer in
            let price = UncheckedSendable(value: pointer)
            forEachChunk { _, chunk in
            for p in (chunk * Self.chunkSize)..<min(productCount, (chunk + 1) * Self.chunkSize) {
                var best = 0
                var bestValue = Double.infinity
                for k in 0..<Int(pool.held[p]) {
                    let value = pricedColumnCost(pool: pool, product: p, column: k, price: price.value)
                    if value < bestValue {
                        bestValue = value
                        best = k
                    }
                }
                picked[p] = Int8(best)
            }
            }
        }
        for p in 0..<productCount { choice[p] = picked[p] }
        return columnTotals(pool: pool, choice: choice)
    }

    /// Σ of the chosen columns' use and cost, per chunk in product order, chunks in order.
    private func columnTotals(pool: ColumnPool, choice: [Int8]) -> (use: [Double], cost: Double) {
        let width = resourceCount + 1
        let partial = SharedBuffer<Double>(repeating: 0, count: chunkCount * width)
        forEachChunk { _, chunk in
            let base = chunk * width
            for p in (chunk * Self.chunkSize)..<min(productCount, (chunk + 1) * Self.chunkSize) {
                addColumn(pool: pool, product: p, column: Int(choice[p]), sign: 1) { r, value in partial[base + r] += value }
                partial[base + resourceCount] += pool.cost[Int(choice[p]) * productCount + p]
            }
        }
        var use = [Double](repeating: 0, count: resourceCount)
        var cost = 0.0
        for chunk in 0..<chunkCount {
            for r in 0..<resourceCount { use[r] += partial[chunk * width + r] }
            cost += partial[chunk * width + resourceCount]
        }
        return (use, cost)
    }

    /// Calls `add(resource, sign × use)` for every use of product p's column k.
    @inline(__always)
    private func addColumn(pool: ColumnPool, product p: Int, column k: Int, sign: Double, _ add: (Int, Double) -> Void) {
        let shift = k * pool.positions
        for position in offsets[p]..<offsets[p + 1] {
            let n = Int(pool.node[position])
            add(n, sign * pool.storageUse[shift + position])
            add(nodeCount + n, sign * pool.outboundUse[shift + position])
            add(2 * nodeCount + n, sign * pool.inboundUse[shift + position])
        }
        for s in 0..<speedCount { add(3 * nodeCount + s, sign * pool.missed[(k * productCount + p) * speedCount + s]) }
    }

    /// The change of every constraint's use when product p moves from column `from` to column `to`.
    private func exchangeDelta(pool: ColumnPool, product p: Int, from: Int, to: Int, into delta: inout [Double]) {
        for r in 0..<resourceCount { delta[r] = 0 }
        addColumn(pool: pool, product: p, column: to, sign: 1) { r, value in delta[r] += value }
        addColumn(pool: pool, product: p, column: from, sign: -1) { r, value in delta[r] += value }
    }

    /// The change of constraint r's use alone when product p moves from column `from` to column `to`: a
    /// screen before `exchangeDelta` (most products do not touch a given node's capacity, and building the
    /// dense delta of every product's every column for every constraint over was 9 % of a cold solve of
    /// the bundled sample).
    private func resourceDelta(pool: ColumnPool, product p: Int, from: Int, to: Int, resource r: Int) -> Double {
        if r >= 3 * nodeCount {
            let s = r - 3 * nodeCount
            return pool.missed[(to * productCount + p) * speedCount + s] - pool.missed[(from * productCount + p) * speedCount + s]
        }
        let node = r % nodeCount
        let use: UnsafeMutablePointer<Double> = r < nodeCount ? pool.storageUse.pointer : r < 2 * nodeCount ? pool.outboundUse.pointer : pool.inboundUse.pointer
        var change = 0.0
        for position in offsets[p]..<offsets[p + 1] where Int(pool.node[position]) == node {
            change += use[to * pool.positions + position] - use[from * pool.positions + position]
        }
        return change
    }

    /// Whether `delta` keeps every constraint that fits within its limit (changes below 1e-9 of the use
    /// are evaluation noise, not the exchange's).
    private func fits(_ delta: [Double], use: [Double], except skipped: Int) -> Bool {
        for r in 0..<resourceCount where r != skipped && packingLimits[r].isFinite {
            let d = delta[r]
            if d > 1e-12 && use[r] + d > packingLimits[r] && d > 1e-9 * max(1, abs(use[r])) { return false }
        }
        return true
    }

    private struct Exchange {
        var product: Int
        var column: Int
        var costDelta: Double
        var relief: Double
    }

    /// Greedy exchange: for each constraint over its limit, most over first, the products whose other
    /// columns relieve it without pushing another constraint over propose their cheapest exchange per
    /// unit relieved, and those are made in that order until the excess is covered.
    private func exchangeUntilFeasible(pool: ColumnPool, choice: inout [Int8], use: inout [Double], deadline: UInt64) {
        var delta = [Double](repeating: 0, count: resourceCount)
        for _ in 0..<Self.assemblyExchangeRounds {
            if DispatchTime.now().uptimeNanoseconds >= deadline { return }
            var over: [(resource: Int, excess: Double)] = []
            for r in 0..<resourceCount where limits[r].isFinite {
                // Over its true limit, and relieved to a millionth inside it.
                if use[r] - limits[r] > 1e-9 * max(1, limits[r]) { over.append((r, use[r] - packingLimits[r])) }
            }
            if over.isEmpty { return }
            over.sort { $0.excess / max(1e-12, packingLimits[$0.resource]) > $1.excess / max(1e-12, packingLimits[$1.resource]) }
            var changed = false
            for (resource, _) in over {
                if DispatchTime.now().uptimeNanoseconds >= deadline { return }
                // Each product's proposal depends only on the choice and use as they are now, so the
                // products are screened in parallel (single-threaded, the screen was a fifth of a 100 k
                // warm re-solve's wall time); the proposals are sorted with ties by product below, so the
                // order they were found in does not matter.
                let chunkProposals = SharedBuffer<[Exchange]>(repeating: [], count: chunkCount)
                let current = UncheckedSendable(value: (choice: choice, use: use))
                forEachChunk { _, chunk in
                    let (choice, use) = current.value
                    var delta = [Double](repeating: 0, count: resourceCount)
                    var found: [Exchange] = []
                    for p in (chunk * Self.chunkSize)..<min(productCount, (chunk + 1) * Self.chunkSize) where pool.held[p] > 1 {
                        let from = Int(choice[p])
                        var best: Exchange? = nil
                        for k in 0..<Int(pool.held[p]) where k != from {
                            if -resourceDelta(pool: pool, product: p, from: from, to: k, resource: resource) <= 1e-12 { continue }
                            exchangeDelta(pool: pool, product: p, from: from, to: k, into: &delta)
                            let relief = -delta[resource]
                            if relief <= 1e-12 || !fits(delta, use: use, except: resource) { continue }
                            let costDelta = pool.cost[k * productCount + p] - pool.cost[from * productCount + p]
                            if best == nil || costDelta / relief < best!.costDelta / best!.relief {
                                best = Exchange(product: p, column: k, costDelta: costDelta, relief: relief)
                            }
                        }
                        if let best { found.append(best) }
                    }
                    chunkProposals[chunk] = found
                }
                var proposals = (0..<chunkCount).flatMap { chunkProposals[$0] }
                proposals.sort {
                    let a = $0.costDelta / $0.relief, b = $1.costDelta / $1.relief
                    return a != b ? a < b : $0.product < $1.product
                }
                for exchange in proposals {
                    if use[resource] <= packingLimits[resource] { break }
                    let p = exchange.product
                    // Checked again against the use as it is now: the exchanges before it moved it.
                    exchangeDelta(pool: pool, product: p, from: Int(choice[p]), to: exchange.column, into: &delta)
                    if -delta[resource] <= 1e-12 || !fits(delta, use: use, except: resource) { continue }
                    for r in 0..<resourceCount { use[r] += delta[r] }
                    choice[p] = Int8(exchange.column)
                    changed = true
                }
            }
            if !changed { return }
        }
    }

    /// One pass over the products: each takes its cheapest column that keeps every limit.
    func lowerCostKeepingFit(pool: ColumnPool, choice: inout [Int8], use: inout [Double]) {
        var delta = [Double](repeating: 0, count: resourceCount)
        for p in 0..<productCount where pool.held[p] > 1 {
            var from = Int(choice[p])
            for k in 0..<Int(pool.held[p]) where k != from {
                let saving = pool.cost[from * productCount + p] - pool.cost[k * productCount + p]
                if saving <= 1e-12 * max(1, abs(pool.cost[from * productCount + p])) { continue }
                exchangeDelta(pool: pool, product: p, from: from, to: k, into: &delta)
                if !fits(delta, use: use, except: -1) { continue }
                for r in 0..<resourceCount { use[r] += delta[r] }
                choice[p] = Int8(k)
                from = k
            }
        }
    }
}
