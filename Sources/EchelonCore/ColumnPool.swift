// Earlier plans of every product ("columns"), each with the exact use and cost its evaluation gave, and
// the restricted master over them: one column per product, chosen so that the sum fits every limit at
// the least cost. Products are independent given their plans, so the sum of the chosen columns' use
// *is* the assembled plan's use: a choice is checked without evaluating anything, in microseconds per
// product where a repair move costs a fixed point.
//
// Why: the relaxation's plans swing across the limits from one iteration to the next (a small storage
// node filled twice over, then empty), and the greedy repair of one of them succeeds only once the
// prices are within a few percent of their final values (iteration 13–15 on the bundled sample, where
// the dual bound had stopped moving at iteration 5). A mix of the plans of several iterations, product
// by product, fits far sooner: that is the primal side of Dantzig–Wolfe's restricted master, solved here
// as a multiple-choice problem by its own cheap Lagrangian and a greedy exchange.

import Dispatch

final class ColumnPool: @unchecked Sendable {
    /// Columns kept per product (a ring: the oldest is replaced).
    let depth: Int
    let positions: Int
    let productCount: Int
    let speedCount: Int
    /// Per column slot k, product position: `k * positions + offset + i`.
    let stocks: SharedBuffer<Int32>
    let storageUse: SharedBuffer<Double>
    let outboundUse: SharedBuffer<Double>
    let inboundUse: SharedBuffer<Double>
    /// Per column slot and product: `k * productCount + p`.
    let vendor: SharedBuffer<Int32>
    let cost: SharedBuffer<Double>
    /// Per column slot, product and speed.
    let missed: SharedBuffer<Double>
    /// Columns held and the next slot to fill, per product.
    let held: SharedBuffer<Int8>
    let nextSlot: SharedBuffer<Int8>
    /// The network node of every product position (so that the restricted master's inner loops read no
    /// template: copying one retains each of its arrays).
    let node: SharedBuffer<Int32>

    /// Bytes a column costs per product position (base stock and three uses).
    static let bytesPerPosition = 4 + 3 * 8

    /// How many columns fit `budget` bytes for this many positions, at most `largest`; fewer than 2 is no
    /// pool at all (one column is the relaxation itself). At 1 M products (26 M positions) the pool
    /// would cost 0.7 GB a column on top of the solver's 2 GB, so it is left out there.
    static func depth(positions: Int, budget: Int = 1_200_000_000, largest: Int = 4) -> Int {
        let fit = budget / max(1, positions * bytesPerPosition)
        return fit >= 2 ? min(largest, fit) : 0
    }

    init(depth: Int, positions: Int, products: Int, speedCount: Int, node: SharedBuffer<Int32>) {
        self.node = node
        self.depth = depth
        self.positions = positions
        productCount = products
        self.speedCount = speedCount
        stocks = SharedBuffer(repeating: 0, count: depth * positions)
        storageUse = SharedBuffer(repeating: 0, count: depth * positions)
        outboundUse = SharedBuffer(repeating: 0, count: depth * positions)
        inboundUse = SharedBuffer(repeating: 0, count: depth * positions)
        vendor = SharedBuffer(repeating: -1, count: depth * products)
        cost = SharedBuffer(repeating: 0, count: depth * products)
        missed = SharedBuffer(repeating: 0, count: depth * products * speedCount)
        held = SharedBuffer(repeating: 0, count: products)
        nextSlot = SharedBuffer(repeating: 0, count: products)
    }

    /// Adds product p's plan as the store holds it, unless a column with the same vendor and base stocks
    /// is held already (its evaluation would be the same), and returns its slot. Column `protected` is
    /// not replaced. Only touches product p: workers may add their own products concurrently.
    @discardableResult
    func add(from store: SolutionStore, product p: Int, offset: Int, nodeCount: Int, protecting protected: Int = -1) -> Int {
        let count = Int(held[p])
        for k in 0..<count where vendor[k * productCount + p] == store.vendor[p] {
            var same = true
            let base = k * positions + offset
            for i in 0..<nodeCount where stocks[base + i] != store.stocks[offset + i] {
                same = false
                break
            }
            if same { return k }
        }
        var k = Int(nextSlot[p])
        if k == protected { k = (k + 1) % depth }
        let base = k * positions + offset
        for i in 0..<nodeCount {
            stocks[base + i] = store.stocks[offset + i]
            storageUse[base + i] = store.storageUse[offset + i]
            outboundUse[base + i] = store.outboundUse[offset + i]
            inboundUse[base + i] = store.inboundUse[offset + i]
        }
        vendor[k * productCount + p] = store.vendor[p]
        cost[k * productCount + p] = store.cost[p]
        for s in 0..<speedCount { missed[(k * productCount + p) * speedCount + s] = store.missed[p * speedCount + s] }
        held[p] = Int8(min(depth, count + 1))
        nextSlot[p] = Int8((k + 1) % depth)
        return k
    }

    /// Writes column k of product p into `store` (plan, use and cost).
    func write(product p: Int, column k: Int, offset: Int, nodeCount: Int, into store: SolutionStore) {
        let base = k * positions + offset
        for i in 0..<nodeCount {
            store.stocks[offset + i] = stocks[base + i]
            store.storageUse[offset + i] = storageUse[base + i]
            store.outboundUse[offset + i] = outboundUse[base + i]
            store.inboundUse[offset + i] = inboundUse[base + i]
        }
        store.vendor[p] = vendor[k * productCount + p]
        store.cost[p] = cost[k * productCount + p]
        for s in 0..<speedCount { store.missed[p * speedCount + s] = missed[(k * productCount + p) * speedCount + s] }
    }
}
