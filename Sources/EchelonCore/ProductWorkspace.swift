// One product under one plan (DESIGN §3–4), and its subproblem for given prices (§6).
//
// A worker owns one workspace and reuses its buffers for every product it touches: the hot path does
// not allocate. Everything here is per product; the master only sees totals.

import EchelonModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class ProductWorkspace {
    let model: PlanningModel
    let speedCount: Int

    // Context of the product being evaluated.
    private(set) var product = 0
    private(set) var vendorChoice = 0
    var templateIndex = 0
    var nodeCount = 0
    var demand = 0.0
    var vmr = 1.0
    var cube = 0.0
    var purchasePrice = 0.0
    var lostSales = true

    // Per local node.
    let baseStock: UnsafeMutablePointer<Int>
    let fill: UnsafeMutablePointer<Double>
    let load: UnsafeMutablePointer<Double>
    let totalDemand: UnsafeMutablePointer<Double>
    let served: UnsafeMutablePointer<Double>
    let inbound: UnsafeMutablePointer<Double>
    let onHand: UnsafeMutablePointer<Double>
    let backorders: UnsafeMutablePointer<Double>
    let leadMean: UnsafeMutablePointer<Double>
    let ltdMean: UnsafeMutablePointer<Double>
    let ltdVariance: UnsafeMutablePointer<Double>
    let exactDistribution: UnsafeMutablePointer<Bool>
    /// Whether the node supplies no other node: every request it sees is a customer's, which spills over
    /// to the next node when it is empty (the loss form, `LeadTimeDemand.lossSystem`).
    let spills: UnsafeMutablePointer<Bool>
    let holdTrue: UnsafeMutablePointer<Double>
    let holdPriced: UnsafeMutablePointer<Double>
    let leadBaseMean: UnsafeMutablePointer<Double>
    let leadBaseVariance: UnsafeMutablePointer<Double>
    let replenishPriced: UnsafeMutablePointer<Double>
    let laneCostPerUnit: UnsafeMutablePointer<Double>
    let outboundPrice: UnsafeMutablePointer<Double>
    let inboundPrice: UnsafeMutablePointer<Double>
    let storagePrice: UnsafeMutablePointer<Double>
    let gain: UnsafeMutablePointer<Double>
    /// The fixed point's residuals (new fill − fill) of this sweep and the last, for its relaxation factor.
    let residual: UnsafeMutablePointer<Double>
    let previousResidual: UnsafeMutablePointer<Double>
    /// A saved evaluation (`saveState`/`restoreState`): the per-node results, per-speed service, scalars.
    /// Restoring it undoes a rejected trial without evaluating the old levels again.
    let savedNode: UnsafeMutablePointer<Double>
    let savedExact: UnsafeMutablePointer<Bool>
    let savedSpeed: UnsafeMutablePointer<Double>
    private var savedCosts = CostBreakdown()
    private var savedPricedCost = 0.0
    private var savedLost = 0.0
    private var savedAllExact = true
    private static let savedNodeArrays = 10
    /// The evaluated state's per-node arrays, in the order `saveState` stores them (built once: saving
    /// and restoring run for every trial move of the search).
    private let stateArrays: [UnsafeMutablePointer<Double>]
    /// The last distribution terms computed per node, reused while its lead-time demand and base stock
    /// are unchanged (a stocked node fed only by unstocked ones sees the same moments every sweep).
    let cachedMean: UnsafeMutablePointer<Double>
    let cachedVariance: UnsafeMutablePointer<Double>
    let cachedLevel: UnsafeMutablePointer<Int>
    let cachedFill: UnsafeMutablePointer<Double>
    let cachedOnHand: UnsafeMutablePointer<Double>
    let cachedExact: UnsafeMutablePointer<Bool>
    // Per position.
    /// Serving a unit at the position, priced: shipping, outbound price, the replenishment path and
    /// lateness; filled when the search first needs it (`prepareServingCosts`). (An unpriced twin was
    /// computed for every position of every product prepared and never read; the cost terms come from
    /// `computeCosts`.)
    let positionServePriced: UnsafeMutablePointer<Double>
    let positionReach: UnsafeMutablePointer<Double>
    /// Per prefix-tree entry: the share of the chains' demand passing it (every node up to it out of stock).
    let triePass: UnsafeMutablePointer<Double>
    /// The prefix tree cut down to its stocked nodes, for the fixed point's inner sweeps: entries with the
    /// same stocked ancestors and node are one (unstocked nodes pass every request on). Node, parent
    /// entry, chain weight, and the share passing it.
    let stockedNode: UnsafeMutablePointer<Int32>
    let stockedParent: UnsafeMutablePointer<Int32>
    let stockedWeight: UnsafeMutablePointer<Double>
    let stockedPass: UnsafeMutablePointer<Double>
    /// Per cut-down entry, the sums the cost terms need over the chains through it (unscaled weights):
    /// shipping per unit and per cubic foot, on-time weight per speed, and the weight of chains ending
    /// with it as their last stocked node; `unstockedEndWeight` for chains with no stocked node.
    let stockedShipPerUnit: UnsafeMutablePointer<Double>
    let stockedShipPerCubicFoot: UnsafeMutablePointer<Double>
    let stockedOnTime: UnsafeMutablePointer<Double>
    let stockedEndWeight: UnsafeMutablePointer<Double>
    private var unstockedEndWeight = 0.0
    /// Entries in the cut-down tree of the last evaluation.
    private var stockedCount = 0
    /// What the cut-down tree was built for: template, demand, and which nodes are stocked (bit i for
    /// node i; nil when not kept). A search that only moves levels keeps the same tree.
    private var stockedTreeKey: (template: Int, demand: Double, pattern: UInt64)? = nil
    /// Per prefix-tree entry, its nearest stocked entry (itself included) in the cut-down tree, or −1.
    let stockedEntryOf: UnsafeMutablePointer<Int32>
    /// Cut-down entry of (parent entry + 1, node), to merge equal entries; −1 when none (reset after use).
    let stockedSlot: UnsafeMutablePointer<Int32>
    // Per speed.
    let speedDemand: UnsafeMutablePointer<Double>
    let speedOnTime: UnsafeMutablePointer<Double>
    let missTrue: UnsafeMutablePointer<Double>
    let missPriced: UnsafeMutablePointer<Double>
    var lost = 0.0

    /// The marginal step's rules (`optimiseBaseStocks`); on but for tests that compare.
    struct SearchRules {
        /// A supplier's proposed cut is checked first on the model of its children's lead times.
        var screensSupplierCuts = true
    }
    var searchRules = SearchRules()

    /// Evaluations and fixed-point sweeps done by this workspace (for the benchmark).
    var evaluationCount = 0
    var sweepCount = 0

    // Results of the last evaluation.
    var costs = CostBreakdown()
    var pricedCost = 0.0
    /// Whether every node's distribution was exact in the last evaluation.
    var allExact = true

    init(model: PlanningModel) {
        self.model = model
        self.speedCount = model.speedCount
        let n = max(1, model.maxTemplateNodes)
        let positions = max(1, model.maxTemplatePositions)
        let speeds = max(1, model.speedCount)
        func zeros(_ count: Int) -> UnsafeMutablePointer<Double> {
            let pointer = UnsafeMutablePointer<Double>.allocate(capacity: count)
            pointer.initialize(repeating: 0, count: count)
            return pointer
        }
        baseStock = .allocate(capacity: n)
        baseStock.initialize(repeating: 0, count: n)
        exactDistribution = .allocate(capacity: n)
        exactDistribution.initialize(repeating: true, count: n)
        spills = .allocate(capacity: n)
        spills.initialize(repeating: true, count: n)
        fill = zeros(n); load = zeros(n); totalDemand = zeros(n); served = zeros(n); inbound = zeros(n)
        onHand = zeros(n); backorders = zeros(n); leadMean = zeros(n); ltdMean = zeros(n); ltdVariance = zeros(n)
        holdTrue = zeros(n); holdPriced = zeros(n); leadBaseMean = zeros(n); leadBaseVariance = zeros(n)
        replenishPriced = zeros(n); laneCostPerUnit = zeros(n)
        outboundPrice = zeros(n); inboundPrice = zeros(n); storagePrice = zeros(n); gain = zeros(n)
        residual = zeros(n); previousResidual = zeros(n)
        savedNode = zeros(n * Self.savedNodeArrays)
        savedExact = .allocate(capacity: n)
        savedExact.initialize(repeating: true, count: n)
        savedSpeed = zeros(speeds)
        positionServePriced = zeros(positions); positionReach = zeros(positions)
        speedDemand = zeros(speeds); speedOnTime = zeros(speeds); missTrue = zeros(speeds); missPriced = zeros(speeds)
        cachedMean = zeros(n); cachedVariance = zeros(n); cachedFill = zeros(n); cachedOnHand = zeros(n)
        cachedLevel = .allocate(capacity: n)
        cachedLevel.initialize(repeating: -1, count: n)
        cachedExact = .allocate(capacity: n)
        cachedExact.initialize(repeating: true, count: n)
        let trie = max(1, model.maxTemplateTrie)
        triePass = zeros(trie)
        stockedNode = .allocate(capacity: trie)
        stockedNode.initialize(repeating: 0, count: trie)
        stockedParent = .allocate(capacity: trie)
        stockedParent.initialize(repeating: -1, count: trie)
        stockedWeight = zeros(trie)
        stockedPass = zeros(trie)
        stockedShipPerUnit = zeros(trie)
        stockedShipPerCubicFoot = zeros(trie)
        stockedOnTime = zeros(trie * speeds)
        stockedEndWeight = zeros(trie)
        stockedEntryOf = .allocate(capacity: trie)
        stockedEntryOf.initialize(repeating: -1, count: trie)
        stockedSlot = .allocate(capacity: (trie + 1) * n)
        stockedSlot.initialize(repeating: -1, count: (trie + 1) * n)
        stateArrays = [fill, load, totalDemand, served, inbound, onHand, backorders, leadMean, ltdMean, ltdVariance]
        precondition(stateArrays.count == Self.savedNodeArrays)
    }

    deinit {
        for pointer in [fill, load, totalDemand, served, inbound, onHand, backorders, leadMean, ltdMean, ltdVariance,
                        holdTrue, holdPriced, leadBaseMean, leadBaseVariance, replenishPriced,
                        laneCostPerUnit, outboundPrice, inboundPrice, storagePrice, gain, residual, previousResidual,
                        savedNode, savedSpeed, positionServePriced, positionReach, speedDemand, speedOnTime, missTrue, missPriced, triePass, stockedWeight,
                        stockedPass, stockedShipPerUnit, stockedShipPerCubicFoot, stockedOnTime, stockedEndWeight,
                        cachedMean, cachedVariance, cachedFill, cachedOnHand] {
            pointer.deallocate()
        }
        cachedLevel.deallocate()
        cachedExact.deallocate()
        stockedNode.deallocate()
        stockedParent.deallocate()
        stockedEntryOf.deallocate()
        stockedSlot.deallocate()
        baseStock.deallocate()
        exactDistribution.deallocate()
        savedExact.deallocate()
        spills.deallocate()
    }

    var template: ProductTemplate { model.templates[templateIndex] }

    /// Sets up product `p` bought from `productVendors[vendorChoice]` under `prices` (nil: no prices).
    /// Base stocks are left as they are; call `resetBaseStock` or set them.
    func prepare(product p: Int, vendorChoice v: Int, prices: Prices?) {
        let scenario = model.scenario
        let item = scenario.products[p]
        product = p
        vendorChoice = v
        templateIndex = Int(model.templateOfProduct[p])
        let t = model.templates[templateIndex]
        nodeCount = t.nodeCount
        demand = item.demandMean
        vmr = max(1, item.demandVMR)
        cube = item.cube
        lostSales = scenario.unmetDemand == .lostSales
        let supplier = scenario.productVendors[v]
        purchasePrice = supplier.unitPrice
        let unitHolding = item.unitCost * item.holdingRate / scenario.costs.daysPerYear
        let handling = scenario.costs.transferHandlingPerCubicFoot
        for i in 0..<nodeCount {
            cachedLevel[i] = -1
            spills[i] = t.childOffsets[i + 1] == t.childOffsets[i]
            let n = Int(t.nodes[i])
            let node = scenario.nodes[n]
            holdTrue[i] = unitHolding * node.holdingMultiplier
            storagePrice[i] = prices?.storage[n] ?? 0
            outboundPrice[i] = prices?.outbound[n] ?? 0
            inboundPrice[i] = prices?.inbound[n] ?? 0
            holdPriced[i] = holdTrue[i] + storagePrice[i] * cube
            let parent = Int(t.parent[i])
            if parent < 0 {
                var l = Int(model.vendorLane[supplier.vendor * model.nodeCount + n])
                if l < 0 { l = Int(model.anyVendorLane[n]) }
                let lane = scenario.lanes[l]
                leadBaseMean[i] = supplier.leadTimeMean + lane.transitMean
                leadBaseVariance[i] = supplier.leadTimeStd * supplier.leadTimeStd + lane.transitStd * lane.transitStd
                laneCostPerUnit[i] = cube * lane.costPerCubicFoot
                replenishPriced[i] = laneCostPerUnit[i] + inboundPrice[i]
            } else {
                let lane = scenario.lanes[Int(t.supplyLane[i])]
                leadBaseMean[i] = lane.transitMean
                leadBaseVariance[i] = lane.transitStd * lane.transitStd
                laneCostPerUnit[i] = cube * (lane.costPerCubicFoot + handling)
                replenishPriced[i] = laneCostPerUnit[i] + inboundPrice[i] + replenishPriced[parent]
            }
        }
        for s in 0..<speedCount {
            let speed = scenario.speeds[s]
            speedDemand[s] = demand * t.speedShare[s]
            missTrue[s] = speed.missPenalty
            missPriced[s] = speed.missPenalty + (prices?.service[s] ?? 0)
        }
        servingCostsPrepared = false
    }

    /// Whether `positionServePriced` is the prepared product's (`prepareServingCosts`).
    private var servingCostsPrepared = false

    /// Every chain position's priced serving cost, for the subproblem search (`computeGains`,
    /// `servingLowerBound`). Computed when first asked after `prepare`, not in it: a product is prepared
    /// for every repair trial and plan evaluation too, which never read them, and the loop over its
    /// ≈ 1 000 positions was most of `prepare`, 8.5 % of a 100 k warm re-solve's `perf` samples.
    private func prepareServingCosts() {
        let t = model.templates[templateIndex]
        for c in 0..<t.chainCount {
            let s = Int(t.chainSpeed[c])
            for pos in Int(t.chainOffsets[c])..<Int(t.chainOffsets[c + 1]) {
                let i = Int(t.positionNode[pos])
                let ship = t.positionCostPerUnit[pos] + t.positionCostPerCubicFoot[pos] * cube
                let late = t.positionOnTime[pos] ? 0.0 : 1.0
                positionServePriced[pos] = ship + outboundPrice[i] + replenishPriced[i] + late * missPriced[s]
            }
        }
        servingCostsPrepared = true
    }

    /// A lower bound on the priced cost of the prepared product and vendor over every plan: each unit
    /// of demand is bought, then either served at a position of its chain, which costs that position's
    /// shipping, outbound price, replenishment path and lateness exactly, or lost; only holding and
    /// storage, which are ≥ 0, are left out. O(positions), where one evaluation walks them a few times.
    func servingLowerBound() -> Double {
        if !servingCostsPrepared { prepareServingCosts() }
        let t = model.templates[templateIndex]
        var perUnit = 0.0
        for c in 0..<t.chainCount {
            var cheapest = lostCost(speed: Int(t.chainSpeed[c]), priced: true)
            for pos in Int(t.chainOffsets[c])..<Int(t.chainOffsets[c + 1]) { cheapest = min(cheapest, positionServePriced[pos]) }
            perUnit += t.chainWeight[c] * cheapest
        }
        return purchasePrice * demand + demand * perUnit
    }

    /// Lost-demand cost of a chain's speed: its miss penalty, plus the lost margin under lost sales.
    @inline(__always) func lostCost(speed s: Int, priced: Bool) -> Double {
        (priced ? missPriced[s] : missTrue[s]) + (lostSales ? model.scenario.costs.lostSalePenalty : 0)
    }

    func resetFillGuess() {
        for i in 0..<nodeCount { fill[i] = baseStock[i] > 0 ? 0.9 : 0 }
    }

    /// Starts the fixed point from fill rates kept from an earlier evaluation of the product (near its
    /// new fixed point when the base stocks moved little, so it takes a few sweeps instead of dozens);
    /// a node stocked now that held nothing then starts from the usual guess.
    func startFills(from previous: UnsafePointer<Double>) {
        for i in 0..<nodeCount { fill[i] = baseStock[i] > 0 ? (previous[i] > 0 ? previous[i] : 0.9) : 0 }
    }

    /// Bounds of the fixed point's relaxation factor.
    static let smallestRelaxation = 0.1
    static let largestRelaxation = 3.0
    /// A fixed point not converged after this many sweeps drops Aitken's step for plain damping (at most
    /// `safeguardRelaxation`), halved whenever the largest residual grew over ten sweeps. Aitken's
    /// estimate assumes a map near linear; at a supplier holding one unit whose only demand is what it
    /// ships (fill ↦ P(lead-time demand of load × fill < 1): near 1 below a fill of 0.01, near 0 above
    /// 0.05) it fell into a cycle of three steps (relaxation 0.1, 0.1, 1.0) from one start and converged
    /// from another, so one plan had two sets of figures (`fixedPointDoesNotDependOnItsStart`), and a
    /// plan the master kept as fitting was 0.03 points short of a fill-rate target when evaluated again.
    /// Of a 10 k solve's 431,795 evaluations 15 reached the old cap of 200 sweeps; none reach this one.
    static let safeguardFromSweep = 60
    static let safeguardRelaxation = 0.2
    static let smallestSafeguardRelaxation = 1e-3
    static let sweepCap = 400
    /// The fixed point stops when no fill rate moved more than this in a sweep. Every state that is kept
    /// (a subproblem's answer, a repaired plan, a plan evaluated for output) is evaluated to
    /// `exactTolerance`; the trial states a subproblem's search compares only to `searchTolerance`, which
    /// moves a trial's cost by about a hundred-thousandth of a fill rate's value, far less than the steps
    /// between the levels the search compares. 1e-6 took a quarter fewer sweeps than 1e-9 (8.8 against
    /// 11.9 on the bundled sample); 1e-5 another 11 % (the first relaxation at 10 k products: 1 731 213 →
    /// 1 539 579 sweeps) with every trial decided as before (the same 207 652 evaluations, the same
    /// priced minimum to 1e-12); at 1e-4 a few trials were decided otherwise.
    var fixedPointTolerance = exactTolerance
    static let exactTolerance = 1e-9
    static let searchTolerance = 1e-5

    /// The λ ↔ A fixed point with METRIC delays, then every cost term. Returns the priced cost.
    @discardableResult
    func evaluate() -> Double {
        let t = model.templates[templateIndex]
        let k = nodeCount
        let demand = self.demand, vmr = self.vmr
        // A node without stock never fills (the sweep below sets 0 there), so a stream passes it
        // unchanged: between full sweeps only the stocked entries of the prefix tree are walked. Their
        // loads come out the same as in a full walk; the unstocked nodes keep the loads of the last full
        // sweep, which enter nothing but their own lead-time demand, and a converged state is confirmed
        // by a full sweep. (A slow mover stocks a few of ≈ 26 nodes: this cuts ≈ 1,000 positions to a few.)
        for i in 0..<k where baseStock[i] <= 0 { fill[i] = 0 }
        let trieCount = t.trieCount
        let speeds = speedCount
        var pattern: UInt64 = 0
        if k <= 64 { for i in 0..<k where baseStock[i] > 0 { pattern |= 1 << UInt64(i) } }
        if k > 64 || stockedTreeKey?.template != templateIndex || stockedTreeKey?.demand != demand
            || stockedTreeKey?.pattern != pattern
        {
            stockedCount = 0
            unstockedEndWeight = 0
            for e in 0..<trieCount {
                let i = Int(t.trieNode[e])
                let parent = Int(t.trieParent[e])
                let above = parent < 0 ? -1 : Int(stockedEntryOf[parent])
                if baseStock[i] > 0 {
                    let slot = (above + 1) * k + i
                    var entry = Int(stockedSlot[slot])
                    if entry < 0 {
                        entry = stockedCount
                        stockedSlot[slot] = Int32(entry)
                        stockedNode[entry] = Int32(i)
                        stockedParent[entry] = Int32(above)
                        stockedWeight[entry] = 0
                        stockedShipPerUnit[entry] = 0
                        stockedShipPerCubicFoot[entry] = 0
                        for s in 0..<speeds { stockedOnTime[entry * speeds + s] = 0 }
                        stockedEndWeight[entry] = 0
                        stockedCount += 1
                    }
                    stockedWeight[entry] += demand * t.trieWeight[e]
                    stockedShipPerUnit[entry] += t.trieShipPerUnit[e]
                    stockedShipPerCubicFoot[entry] += t.trieShipPerCubicFoot[e]
                    for s in 0..<speeds { stockedOnTime[entry * speeds + s] += t.trieOnTime[e * speeds + s] }
                    stockedEndWeight[entry] += t.trieEndWeight[e]
                    stockedEntryOf[e] = Int32(entry)
                } else {
                    stockedEntryOf[e] = Int32(above)
                    // A chain ending here ends at its last stocked node, or passes no stock at all.
                    if above >= 0 { stockedEndWeight[above] += t.trieEndWeight[e] } else { unstockedEndWeight += t.trieEndWeight[e] }
                }
            }
            for entry in 0..<stockedCount {
                stockedSlot[(Int(stockedParent[entry]) + 1) * k + Int(stockedNode[entry])] = -1
            }
            stockedTreeKey = k <= 64 ? (templateIndex, demand, pattern) : nil
        }
        var fullSweep = true
        var iteration = 0
        var relaxation = 1.0
        var windowChange = Double.infinity
        while true {
            // Loads: a stream reaches a node only when every node before it in its chain is out of stock.
            if fullSweep {
                for i in 0..<k { load[i] = 0 }
                for e in 0..<trieCount {
                    let i = Int(t.trieNode[e])
                    let parent = Int(t.trieParent[e])
                    let pass = parent < 0 ? 1 : triePass[parent]
                    load[i] += demand * t.trieWeight[e] * pass
                    triePass[e] = pass * (1 - fill[i])
                }
            } else {
                for i in 0..<k where baseStock[i] > 0 { load[i] = 0 }
                for entry in 0..<stockedCount {
                    let i = Int(stockedNode[entry])
                    let parent = Int(stockedParent[entry])
                    let pass = parent < 0 ? 1 : stockedPass[parent]
                    load[i] += stockedWeight[entry] * pass
                    stockedPass[entry] = pass * (1 - fill[i])
                }
            }
            // Flows, from the leaves up: a node receives what it ships and what its children receive.
            var i = k - 1
            while i >= 0 {
                var childInbound = 0.0
                for ci in Int(t.childOffsets[i])..<Int(t.childOffsets[i + 1]) { childInbound += inbound[Int(t.childList[ci])] }
                served[i] = load[i] * fill[i]
                inbound[i] = served[i] + childInbound
                // A request that spills over orders nothing here: a supplier's stock turns over with what it
                // ships and what its children receive (λ·A + replenishment), and a node that supplies no
                // one is sized against its offered load λ in the loss form below.
                totalDemand[i] = spills[i] ? load[i] : inbound[i]
                i -= 1
            }
            // Stock, from the suppliers down: a child waits transit plus its supplier's delay EBO/λ.
            var change = 0.0
            var exact = true
            for i in 0..<k {
                let parent = Int(t.parent[i])
                var meanLead = leadBaseMean[i]
                if parent >= 0, totalDemand[parent] > 1e-12 { meanLead += backorders[parent] / totalDemand[parent] }
                leadMean[i] = meanLead
                let rate = totalDemand[i]
                let mean = rate * meanLead
                let variance = rate * vmr * meanLead + rate * rate * leadBaseVariance[i]
                ltdMean[i] = mean
                ltdVariance[i] = variance
                let level = baseStock[i]
                let newFill: Double
                if level <= 0 && mean <= LeadTimeDemand.exactMeanLimit {
                    // Most nodes of a slow mover hold nothing: no fill, no stock, every unit backordered.
                    // Below the normal's mean limit the distribution is exact, so it need not be built
                    // (its log1p was 8 % of the solve).
                    newFill = 0
                    onHand[i] = 0
                    backorders[i] = spills[i] ? 0 : max(0, mean)
                    exactDistribution[i] = true
                } else {
                    if cachedLevel[i] != level || cachedMean[i] != mean || cachedVariance[i] != variance {
                        let distribution = LeadTimeDemand(mean: mean, variance: variance)
                        let (fillAtLevel, stock) = spills[i] ? distribution.lossSystem(level) : distribution.baseStock(level)
                        cachedLevel[i] = level
                        cachedMean[i] = mean
                        cachedVariance[i] = variance
                        cachedFill[i] = fillAtLevel
                        cachedOnHand[i] = stock
                        cachedExact[i] = distribution.isExact
                    }
                    exactDistribution[i] = cachedExact[i]
                    exact = exact && cachedExact[i]
                    newFill = cachedFill[i]
                    let stock = cachedOnHand[i]
                    onHand[i] = stock
                    // Only a supplier's backorders delay anyone (its children); a spill-over node has none.
                    backorders[i] = spills[i] ? 0 : max(0, stock - Double(level) + mean)
                }
                residual[i] = newFill - fill[i]
                change = max(change, abs(residual[i]))
            }
            // Aitken's dynamic relaxation (Irons–Tuck): the step along the residual is scaled by what the
            // last two residuals say of the map's slope, so a slow monotone approach is stretched and an
            // oscillation damped. (A fixed average from sweep 8 took ≈ 21 sweeps per evaluation and left
            // 1.6 % of them at the 200-sweep cap on the sample.)
            if iteration >= Self.safeguardFromSweep {
                // Safeguarded: plain damping, halved whenever the largest residual grew over ten sweeps.
                let sinceStart = iteration - Self.safeguardFromSweep
                if sinceStart == 0 {
                    relaxation = min(relaxation, Self.safeguardRelaxation)
                    windowChange = change
                } else if sinceStart % 10 == 0 {
                    if change > windowChange { relaxation = max(Self.smallestSafeguardRelaxation, relaxation * 0.5) }
                    windowChange = change
                }
            } else if iteration > 0 {
                var dot = 0.0, norm = 0.0
                for i in 0..<k {
                    let difference = residual[i] - previousResidual[i]
                    dot += previousResidual[i] * difference
                    norm += difference * difference
                }
                if norm > 1e-300 {
                    relaxation = min(Self.largestRelaxation, max(Self.smallestRelaxation, -relaxation * dot / norm))
                }
            }
            for i in 0..<k {
                fill[i] = min(1, max(0, fill[i] + relaxation * residual[i]))
                previousResidual[i] = residual[i]
            }
            allExact = exact
            iteration += 1
            sweepCount += 1
            if change < fixedPointTolerance || iteration >= Self.sweepCap {
                if fullSweep || iteration >= Self.sweepCap { break }
                fullSweep = true
            } else {
                fullSweep = false
            }
        }
        computeCosts()
        evaluationCount += 1
        return pricedCost
    }

    /// Cost terms for the current fill rates (after the fixed point).
    private func computeCosts() {
        let t = model.templates[templateIndex]
        let k = nodeCount
        let demand = self.demand, cube = self.cube
        for s in 0..<speedCount { speedOnTime[s] = 0 }
        var shipping = 0.0
        var pricedShipping = 0.0
        // Over the prefix tree cut down to stocked nodes (nothing is served elsewhere), every chain
        // through an entry reaches it with the same share of its weight.
        var reached = unstockedEndWeight
        let speeds = speedCount
        for entry in 0..<stockedCount {
            let i = Int(stockedNode[entry])
            let parent = Int(stockedParent[entry])
            let pass = parent < 0 ? 1 : stockedPass[parent]
            // Units served here per unit of chain weight; the entry's sums carry the weights.
            let servedPerWeight = demand * pass * fill[i]
            let ship = stockedShipPerUnit[entry] + stockedShipPerCubicFoot[entry] * cube
            shipping += servedPerWeight * ship
            pricedShipping += servedPerWeight * ship + stockedWeight[entry] * pass * fill[i] * outboundPrice[i]
            for s in 0..<speeds { speedOnTime[s] += servedPerWeight * stockedOnTime[entry * speeds + s] }
            stockedPass[entry] = pass * (1 - fill[i])
            reached += stockedPass[entry] * stockedEndWeight[entry]
        }
        lost = demand * (reached + t.emptyChainWeight)
        let extra = lostSales ? model.scenario.costs.lostSalePenalty : 0
        let lostTrue = lost * extra
        let lostPriced = lost * extra
        var holding = 0.0, storageCharge = 0.0, inboundTransport = 0.0, transfer = 0.0, inboundCharge = 0.0
        for i in 0..<k {
            holding += holdTrue[i] * onHand[i]
            storageCharge += storagePrice[i] * cube * onHand[i]
            inboundCharge += inboundPrice[i] * inbound[i]
            if t.parent[i] < 0 { inboundTransport += inbound[i] * laneCostPerUnit[i] } else { transfer += inbound[i] * laneCostPerUnit[i] }
        }
        var miss = lostTrue
        var missCharge = lostPriced
        for s in 0..<speedCount {
            let missed = max(0, speedDemand[s] - speedOnTime[s])
            miss += missed * missTrue[s]
            missCharge += missed * missPriced[s]
        }
        var breakdown = CostBreakdown()
        // Every unit of demand is bought, served or not: a lost sale's price is part of its lost margin.
        breakdown.purchase = purchasePrice * demand
        breakdown.inboundTransport = inboundTransport
        breakdown.holding = holding
        breakdown.outboundShipping = shipping
        breakdown.missPenalty = miss
        breakdown.transfer = transfer
        costs = breakdown
        pricedCost = breakdown.purchase + inboundTransport + transfer + holding + storageCharge + pricedShipping
            + missCharge + inboundCharge
    }

    /// Missed units per day of speed `s` in the last evaluation.
    @inline(__always) func missed(speed s: Int) -> Double { max(0, speedDemand[s] - speedOnTime[s]) }

    // MARK: - Subproblem

    /// Per node, the priced value per day of its fill rate with everything else held: the expected cost of
    /// the rest of the chain for a request it fails, minus the cost of serving it there.
    private func computeGains() {
        if !servingCostsPrepared { prepareServingCosts() }
        let t = model.templates[templateIndex]
        let demand = self.demand
        for i in 0..<nodeCount { gain[i] = 0 }
        for c in 0..<t.chainCount {
            let start = Int(t.chainOffsets[c]), end = Int(t.chainOffsets[c + 1])
            if start == end { continue }
            var reach = demand * t.chainWeight[c]
            for pos in start..<end {
                positionReach[pos] = reach
                reach *= 1 - fill[Int(t.positionNode[pos])]
            }
            var costToGo = lostCost(speed: Int(t.chainSpeed[c]), priced: true)
            var pos = end - 1
            while pos >= start {
                let i = Int(t.positionNode[pos])
                gain[i] += positionReach[pos] * (costToGo - positionServePriced[pos])
                costToGo = fill[i] * positionServePriced[pos] + (1 - fill[i]) * costToGo
                pos -= 1
            }
        }
    }

    /// The base stock minimising holdPriced·E[on hand] − gain·A at node i, its load and lead time fixed,
    /// and the change of that cost from the current base stock (negative: an improvement).
    /// Exact scan for the discrete distributions (it stops when holding alone exceeds the best); bisection
    /// on the marginal for the normal approximation (fast movers are never walked unit by unit).
    private func bestLevel(_ i: Int) -> (level: Int, change: Double) {
        let h = holdPriced[i]
        let g = gain[i]
        let current = baseStock[i]
        let distribution = LeadTimeDemand(mean: ltdMean[i], variance: ltdVariance[i])
        switch distribution.kind {
        case .zero:
            func cost(_ s: Int) -> Double { s > 0 ? h * Double(s) - g : 0 }
            let best = h < g ? 1 : 0
            return (best, cost(best) - cost(current))
        case .normal:
            let m = distribution.mean, sd = distribution.standardDeviation
            let lossForm = spills[i]
            func cost(_ s: Int) -> Double {
                if s <= 0 { return 0 }
                if lossForm {
                    let (fillAtLevel, stock) = distribution.lossSystem(s)
                    return h * stock - g * fillAtLevel
                }
                let level = Double(s)
                return h * StandardNormal.expectedShortfallBelow(level, mean: m, sd: sd)
                    - g * normalCDF((level - 0.5 - m) / sd)
            }
            if g <= 0 { return (0, -cost(current)) }
            func marginal(_ x: Double) -> Double { h * normalCDF((x - m) / sd) - g * normalPDF((x - 0.5 - m) / sd) / sd }
            var low = m + 0.5, high = m + 0.5 + 40 * sd
            if marginal(low) < 0 {
                for _ in 0..<100 {
                    let mid = 0.5 * (low + high)
                    if marginal(mid) < 0 { low = mid } else { high = mid }
                    if high - low < 0.25 { break }
                }
            } else {
                high = low
            }
            var best = 0
            var bestCost = 0.0
            for s in [Int(low.rounded(.down)), Int(low.rounded(.down)) + 1, Int(high.rounded(.up)), current] where s > 0 {
                let c = cost(s)
                if c < bestCost {
                    bestCost = c
                    best = s
                }
            }
            // The bisection follows the backorder form's marginal; the loss form's optimum sits a few
            // units away at most, so a short descent on its own cost finishes the search.
            if lossForm && best > 0 {
                for direction in [1, -1] {
                    var steps = 0
                    while steps < 64, best + direction > 0 {
                        let c = cost(best + direction)
                        if c >= bestCost { break }
                        bestCost = c
                        best += direction
                        steps += 1
                    }
                }
            }
            return (best, bestCost - cost(current))
        case .poisson, .negativeBinomial:
            var walker = PMFWalker(distribution)
            var cumulative = 0.0
            var stock = 0.0
            var best = 0
            var bestCost = 0.0
            var currentCost = 0.0
            var level = 0
            let lossForm = spills[i]
            while level < 10_000_000 {
                cumulative += walker.next()
                stock += cumulative
                level += 1
                // Here cumulative = F(S − 1) and stock = E[(S − D)⁺]; the loss form divides both by
                // F(S) = F(S − 1) + P(D = S), the walker's next probability.
                let truncation = lossForm ? cumulative + walker.current : 1
                let c = truncation > 0 ? (h * stock - g * cumulative) / truncation : 0
                if level == current { currentCost = c }
                if c < bestCost {
                    bestCost = c
                    best = level
                }
                if level >= current {
                    // Every higher level costs at least h·E[on hand] − max(g, 0), and on hand only grows.
                    if h * stock / truncation - max(g, 0) >= bestCost { break }
                    if cumulative > 1 - 1e-15 && (h > 0 || level > best) { break }
                }
            }
            return (best, bestCost - currentCost)
        }
    }

    /// Saves the last evaluation (not the base stocks, which the caller keeps).
    func saveState() {
        let k = nodeCount
        for (a, array) in stateArrays.enumerated() { (savedNode + a * k).update(from: array, count: k) }
        savedExact.update(from: exactDistribution, count: k)
        savedSpeed.update(from: speedOnTime, count: speedCount)
        savedCosts = costs
        savedPricedCost = pricedCost
        savedLost = lost
        savedAllExact = allExact
    }

    /// Returns to the evaluation saved last; the caller puts back the base stocks it was made with.
    func restoreState() {
        let k = nodeCount
        for (a, array) in stateArrays.enumerated() { array.update(from: savedNode + a * k, count: k) }
        exactDistribution.update(from: savedExact, count: k)
        speedOnTime.update(from: savedSpeed, count: speedCount)
        costs = savedCosts
        pricedCost = savedPricedCost
        lost = savedLost
        allExact = savedAllExact
    }

    /// Minimises the priced cost over base stocks for the prepared vendor, from the current base stocks.
    /// Marginal analysis: with every other node held, each node's cost is holding·E[on hand] − gain·A;
    /// the node whose best level promises the largest saving moves, the full model confirms it (or the
    /// move is rejected), and the gains are recomputed. Then local moves on the nodes that supply others.
    /// Returns the priced cost; the workspace holds the evaluated optimum.
    @discardableResult
    func optimiseBaseStocks(maxEvaluations: Int = 80, polishSuppliers: Bool = true) -> Double {
        let t = model.templates[templateIndex]
        let k = nodeCount
        var cost = evaluate()
        var evaluations = 1
        // The level the full model last refused at each node (−1: none). A refused move is not proposed
        // again in this search: the marginal step keeps proposing the same move at a node whose level
        // affects others (a supplier, whose children's lead times it ignores), and with the refusals
        // forgotten after every accepted move, 73 % of the single trials and 91 % of the batches were
        // refused on the bundled sample, and searches ran into the evaluation cap. Remembered, the first
        // relaxation takes 24 % fewer evaluations and finds cheaper plans (its dual value 61 333.6, not
        // 61 338.2).
        var refusedLevel = [Int](repeating: -1, count: k)
        var batchLevels = [Int](repeating: 0, count: k)
        var oldLevels = [Int](repeating: 0, count: k)
        search: while evaluations < maxEvaluations {
            computeGains()
            // Every node whose own best level promises a saving moves at once, and the full model checks
            // the batch with one evaluation; only when it disagrees are the moves tried one at a time.
            // (With many nodes moving after a price change this replaces one evaluation per node.)
            var batchSize = 0
            let threshold = -1e-12 * max(1, abs(cost))
            for i in 0..<k {
                let (target, change) = proposedLevel(i, template: t)
                batchLevels[i] = target != baseStock[i] && target != refusedLevel[i] && change < threshold ? target : -1
                if batchLevels[i] >= 0 { batchSize += 1 }
            }
            if batchSize == 0 { break search }
            if batchSize > 1 {
                saveState()
                for j in 0..<k {
                    oldLevels[j] = baseStock[j]
                    if batchLevels[j] >= 0 { baseStock[j] = batchLevels[j] }
                }
                let c = evaluate()
                evaluations += 1
                if c < cost - 1e-12 * abs(cost) {
                    cost = c
                    continue search
                }
                for j in 0..<k { baseStock[j] = oldLevels[j] }
                restoreState()
            }
            while evaluations < maxEvaluations {
                var bestNode = -1, bestTarget = 0
                var bestChange = -1e-12 * max(1, abs(cost))
                for i in 0..<k {
                    let (target, change) = proposedLevel(i, template: t)
                    if target != baseStock[i] && target != refusedLevel[i] && change < bestChange {
                        bestChange = change
                        bestNode = i
                        bestTarget = target
                    }
                }
                if bestNode < 0 { break search }
                let old = baseStock[bestNode]
                saveState()
                baseStock[bestNode] = bestTarget
                let c = evaluate()
                evaluations += 1
                if c < cost - 1e-12 * abs(cost) {
                    cost = c
                    continue search
                }
                // The full model disagrees: keep the old level and the old state, try the next node.
                baseStock[bestNode] = old
                restoreState()
                refusedLevel[bestNode] = bestTarget
            }
        }
        if !t.separable && polishSuppliers {
            // The marginal step ignores a supplier's effect on its children's lead times, so nodes that
            // supply others are searched on a model of exactly that effect, suppliers first.
            var moved = false
            for i in 0..<k where t.childOffsets[i + 1] > t.childOffsets[i] {
                let before = cost
                cost = supplierSearch(node: i, cost: cost, template: t)
                if cost < before { moved = true }
            }
            // A supplier that moved changes its children's lead times: their levels are searched again.
            if moved && evaluations < maxEvaluations {
                return optimiseBaseStocks(maxEvaluations: maxEvaluations - evaluations, polishSuppliers: false)
            }
        }
        return cost
    }

    /// The marginal step's proposal at node i: its best level with everything else held, and the change
    /// of cost it predicts. That model leaves out what a supplier's stock does to its children's lead
    /// times, so it proposes cutting suppliers the full model then refuses: in the first relaxation at
    /// 100 k (seed 3), 384 356 of 593 294 single moves tried were supplier cuts and 84 % were refused.
    /// A supplier's cut is therefore checked on `supplierPredictedCost`, which counts its children, and
    /// taken one unit down, or not at all, where that model disagrees. (That relaxation, from the same
    /// prices: 1 322 503 → 878 440 evaluations, 15.1 → 9.0 s, and lower minima, its dual value
    /// 2 972 150.3 → 2 972 314.8; the bundled sample's 14 000 → 9 356.)
    private func proposedLevel(_ i: Int, template t: ProductTemplate) -> (level: Int, change: Double) {
        let proposal = bestLevel(i)
        let current = baseStock[i]
        guard searchRules.screensSupplierCuts, proposal.level < current, t.childOffsets[i + 1] > t.childOffsets[i] else {
            return proposal
        }
        let now = supplierPredictedCost(i, level: current, template: t)
        let there = supplierPredictedCost(i, level: proposal.level, template: t)
        if there < now { return (proposal.level, there - now) }
        if proposal.level < current - 1 {
            let oneDown = supplierPredictedCost(i, level: current - 1, template: t)
            if oneDown < now { return (current - 1, oneDown - now) }
        }
        return (current, 0)
    }

    /// Priced cost, up to a constant, of supplier i at base stock `level` with every load held: its own
    /// holding and the value of its own fill rate, and the same for its stocked children, whose lead
    /// times carry its delay EBO/λ (METRIC). Costs O(children), where a full evaluation walks every chain
    /// position a dozen times.
    /// (`t` is the product's template, passed in: copied out of the model on every call, its arrays' retains
    /// and releases were 1.5 % of a cold solve.)
    private func supplierPredictedCost(_ i: Int, level: Int, template t: ProductTemplate) -> Double {
        let own = LeadTimeDemand(mean: ltdMean[i], variance: ltdVariance[i])
        let (ownFill, ownStock) = own.baseStock(level)
        let ownBackorders = max(0, ownStock - Double(max(0, level)) + own.mean)
        var cost = holdPriced[i] * ownStock - gain[i] * ownFill
        let rate = totalDemand[i]
        let delay = rate > 1e-12 ? ownBackorders / rate : 0
        for ci in Int(t.childOffsets[i])..<Int(t.childOffsets[i + 1]) {
            let c = Int(t.childList[ci])
            let childLevel = baseStock[c]
            if childLevel <= 0 { continue }
            let childRate = totalDemand[c]
            let lead = leadBaseMean[c] + delay
            let distribution = LeadTimeDemand(
                mean: childRate * lead, variance: childRate * vmr * lead + childRate * childRate * leadBaseVariance[c])
            let (childFill, childStock) = spills[c] ? distribution.lossSystem(childLevel) : distribution.baseStock(childLevel)
            cost += holdPriced[c] * childStock - gain[c] * childFill
        }
        return cost
    }

    /// Supplier i's base stock by a pattern search (steps growing while they pay, halving when they do
    /// not) on the predicted cost, then one full evaluation of the best level found, kept only when the
    /// full model agrees it is cheaper. Returns the priced cost of the state left in the workspace.
    private func supplierSearch(node i: Int, cost start: Double, template t: ProductTemplate) -> Double {
        computeGains()
        let current = baseStock[i]
        var level = current
        var predicted = supplierPredictedCost(i, level: level, template: t)
        let largest = max(1, Int(ltdMean[i] + 8 * ltdVariance[i].squareRoot()) + 1)
        var step = max(1, Int(ltdVariance[i].squareRoot() / 2))
        var trials = 0
        while step >= 1 && trials < 80 {
            var moved = false
            for direction in [1, -1] {
                let candidate = level + direction * step
                if candidate < 0 || candidate > max(largest, current) { continue }
                let c = supplierPredictedCost(i, level: candidate, template: t)
                trials += 1
                if c < predicted - 1e-12 * max(1, abs(predicted)) {
                    predicted = c
                    level = candidate
                    moved = true
                    break
                }
            }
            step = moved ? step * 2 : step / 2
        }
        if level == current { return start }
        saveState()
        baseStock[i] = level
        let c = evaluate()
        if c < start - 1e-12 * abs(start) { return c }
        baseStock[i] = current
        restoreState()
        return start
    }

    /// Whether the last optimisation is provably optimal: the cost separates by node and every node's
    /// distribution is exact (the scan is exhaustive).
    var lastOptimisationExact: Bool { model.templates[templateIndex].separable && allExact }
}
