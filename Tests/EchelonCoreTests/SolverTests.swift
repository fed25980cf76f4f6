import EchelonModel
import Foundation
import Testing
@testable import EchelonCore

/// Independent exact solution of the separable instance: for each node, bisection on its storage price
/// until the products' exhaustive best base stocks fit; costs from Erlang's loss formula (lost sales).
struct SeparableOracle {
    let scenario: Scenario

    /// Cost and cube of product p at node n with base stock s at storage price mu (Poisson demand, lost sales).
    func term(product p: Int, node n: Int, level: Int, price mu: Double) -> (cost: Double, cube: Double) {
        let item = scenario.products[p]
        let share = scenario.profiles[Int(item.profile)].shares.filter { Int($0.region) == n }.reduce(0) { $0 + $1.share }
        let rate = item.demandMean * share
        if rate == 0 { return (0, 0) }
        let vendor = scenario.productVendors[Int(item.vendors.lowerBound)]
        let lane = scenario.lanes.first { $0.destination == n }!
        let mean = rate * (vendor.leadTimeMean + lane.transitMean)
        let (fill, onHand) = erlangLoss(level: level, load: mean)
        let option = scenario.options.first { $0.region == n }!
        let hold = item.unitCost * item.holdingRate / 365 * scenario.nodes[n].holdingMultiplier
        let serve = option.unitCost(cube: item.cube) + item.cube * lane.costPerCubicFoot
        let lost = scenario.speeds[0].missPenalty + scenario.costs.lostSalePenalty
        let cost = vendor.unitPrice * rate + hold * onHand + rate * fill * serve + rate * (1 - fill) * lost
        return (cost + mu * item.cube * onHand, item.cube * onHand)
    }

    func best(product p: Int, node n: Int, price mu: Double) -> (level: Int, cost: Double, cube: Double) {
        var best = (0, term(product: p, node: n, level: 0, price: mu).cost, 0.0)
        for level in 1...200 {
            let t = term(product: p, node: n, level: level, price: mu)
            if t.cost < best.1 { best = (level, t.cost, t.cube) }
        }
        return best
    }

    /// The optimal cost (without prices) when every node's capacity can be met by its price.
    func optimalCost() -> Double {
        var total = 0.0
        for n in scenario.nodes.indices {
            func use(_ mu: Double) -> Double { scenario.products.indices.reduce(0) { $0 + best(product: $1, node: n, price: mu).cube } }
            var price = 0.0
            if use(0) > scenario.nodes[n].storageCapacity {
                var low = 0.0, high = 1.0
                while use(high) > scenario.nodes[n].storageCapacity { high *= 2 }
                for _ in 0..<60 {
                    let mid = 0.5 * (low + high)
                    if use(mid) > scenario.nodes[n].storageCapacity { low = mid } else { high = mid }
                }
                price = high
            }
            for p in scenario.products.indices {
                let b = best(product: p, node: n, price: price)
                total += term(product: p, node: n, level: b.level, price: 0).cost
            }
        }
        return total
    }
}

let separableProducts: [(mean: Double, cube: Double, unitCost: Double, shares: [Double])] = [
    (4, 0.5, 80, [0.6, 0.4, 0]), (0.3, 2, 300, [0.2, 0.3, 0.5]), (2.5, 0.1, 12, [0, 0.5, 0.5]),
    (1.2, 1.0, 45, [0.5, 0, 0.5]), (6, 0.3, 25, [0.3, 0.3, 0.4]), (0.8, 0.7, 150, [1, 0, 0]),
]

/// Capacities equal to the use at given node prices (plus a hair), so that integer base stocks can
/// meet them exactly and the Lagrangian bound is tight.
func separableScenario(prices: [Double]) -> Scenario {
    let open = TestScenarios.separable(storage: [1e12, 1e12, 1e12], products: separableProducts)
    let oracle = SeparableOracle(scenario: open)
    let storage = prices.enumerated().map { n, mu in
        open.products.indices.reduce(0) { $0 + oracle.best(product: $1, node: n, price: mu).cube } * (1 + 1e-12)
    }
    return TestScenarios.separable(storage: storage, products: separableProducts)
}

@Test(arguments: MasterMethod.allCases)
func separableInstanceMatchesExactSolution(method: MasterMethod) {
    let scenario = separableScenario(prices: [0.4, 0.9, 0.15])
    let exact = SeparableOracle(scenario: scenario).optimalCost()
    let result = Solver(method: method, repairInterval: 1).solve(
        scenario: scenario, limits: SolveLimits(gap: 1e-9, maxIterations: 400, timeLimit: 60, threads: 1))
    #expect(result.violations.isEmpty)
    #expect(result.certified)
    #expect(abs(result.costs.total - exact) / exact < 1e-6, "solver \(result.costs.total) exact \(exact)")
    #expect(abs(result.dualBound - exact) / exact < 1e-6, "bound \(result.dualBound) exact \(exact)")
    // A bound, from below; and the capacities bind (each storage priced), so the prices did the work.
    #expect(result.dualBound <= exact * (1 + 1e-12))
    #expect(result.nodes.allSatisfy { $0.storagePrice > 0 }, "\(result.nodes.map(\.storagePrice))")
}

@Test func moreCapacityNeverRaisesTheCost() {
    var last = Double.infinity
    for scale in [0.4, 0.6, 0.8, 1.0, 1.5] {
        let scenario = separableScenario(prices: [0.4 / scale, 0.9 / scale, 0.15 / scale])
        let exact = SeparableOracle(scenario: scenario).optimalCost()
        let result = Solver(method: .subgradient, repairInterval: 1).solve(
            scenario: scenario, limits: SolveLimits(gap: 1e-9, maxIterations: 400, threads: 1))
        #expect(result.violations.isEmpty)
        #expect(result.costs.total <= last + 1e-9)
        #expect(abs(result.costs.total - exact) / exact < 1e-6)
        last = result.costs.total
    }
}

/// Bit-identical results for 1 and 2 threads, from zero prices and from a sample's (the path every cold
/// solve of 2 000 products or more takes; here from 600).
@Test(arguments: [0, 600])
func resultsAreIdenticalForOneAndTwoThreads(sampledFrom: Int) {
    let scenario = TestScenarios.network(products: 600, seed: 3)
    let limits1 = SolveLimits(gap: 0.001, maxIterations: 3, timeLimit: 600, threads: 1)
    var limits2 = limits1
    limits2.threads = 2
    let solver = Solver(sampledStartThreshold: sampledFrom)
    let one = solver.solve(scenario: scenario, limits: limits1)
    let two = solver.solve(scenario: scenario, limits: limits2)
    #expect(one.plan == two.plan)
    #expect(one.costs == two.costs)
    #expect(one.dualBound == two.dualBound && one.gap == two.gap && one.stopReason == two.stopReason)
    #expect(one.nodes == two.nodes)
    #expect(one.speeds == two.speeds)
    #expect(one.violations == two.violations)
    // Every snapshot but its clock.
    func withoutSeconds(_ history: [SolverSnapshot]) -> [SolverSnapshot] { history.map { var s = $0; s.seconds = 0; return s } }
    #expect(withoutSeconds(one.history) == withoutSeconds(two.history))
    #expect(one.threads == 1 && two.threads == 2)
}

@Test func solverCancelStopsWithinOneIteration() {
    let scenario = TestScenarios.network(products: 40, seed: 5)
    var iterations = 0
    let result = Solver().solve(
        scenario: scenario, limits: SolveLimits(gap: 0, maxIterations: 50, threads: 1),
        progress: { _ in iterations += 1 }, cancel: { iterations >= 2 })
    #expect(result.iterations == 2)
    #expect(result.stopReason == .cancelled)
    #expect(result.plan.vendorChoice.count == 40)
}

/// A network with DCs, spill-over, downgrades and binding capacities: the returned plan fits every
/// capacity and every speed meets its target in the model.
@Test func networkPlanIsFeasibleAndMeetsTargets() {
    let scenario = TestScenarios.network(products: 60, seed: 9)
    let result = Solver().solve(scenario: scenario, limits: SolveLimits(gap: 0.005, maxIterations: 60, threads: 2))
    #expect(result.violations.isEmpty, "\(result.violations)")
    for (s, speed) in scenario.speeds.enumerated() {
        #expect(result.speeds[s].plannedFillRate >= speed.targetFillRate - 1e-9)
    }
    for (n, node) in scenario.nodes.enumerated() {
        #expect(result.nodes[n].storageUsed <= node.storageCapacity * (1 + 1e-9))
    }
    // The reported use is the plan's: re-evaluating the plan product by product gives the same totals.
    let evaluations = ProductEvaluator(scenario: scenario).evaluate(plan: result.plan)
    let cost = evaluations.reduce(0) { $0 + $1.costs.total }
    #expect(abs(cost - result.costs.total) < 1e-6 * cost)
    print("network 60: cost \(result.costs.total) bound \(result.dualBound) gap \(result.gap) iterations \(result.iterations) \(result.stopReason)")
}

/// The final repair used to run to completion after the time limit (≈ 30 s past a 20 s limit on the
/// bundled sample). With its deadline already passed it makes no move and returns the relaxation's plan.
@Test func repairStopsAtItsDeadline() {
    let scenario = TestScenarios.network(products: 60, seed: 9)
    let problem = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
    let relaxation = problem.relax(prices: [Double](repeating: 0, count: problem.limits.count))
    let late = problem.repair(deadline: 0)
    #expect(problem.repairEvaluations == 0)
    #expect(late.use == relaxation.use)
    // Without prices the relaxation overfills some capacity, so an unbounded repair does make moves.
    #expect(zip(relaxation.use, problem.limits).contains { $0 > $1 })
    _ = problem.repair()
    #expect(problem.repairEvaluations > 0)
}

/// A plan short of every fill-rate target (capacities unlimited, zero prices) is repaired to meet them
/// all, and a round asks each product for its trial moves once, whichever targets are short: at most
/// three evaluations a product a round. (Asked target by target, the same trials ran once per short
/// speed; after a storage cut at 100 k products such a round took 10.7 s.)
@Test func serviceRepairAsksEachProductOnceARound() {
    // Targets that allow 99.5 % of the misses the zero-price relaxation has: a few products' moves cover
    // each shortfall, and asked target by target, every other product was asked again for the next
    // (412 evaluations in the one round, against 180).
    let scenario = TestScenarios.networkJustShortOfTargets(products: 60, seed: 9)
    let problem = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
    let relaxation = problem.relax(prices: [Double](repeating: 0, count: problem.limits.count))
    let services = (3 * problem.nodeCount)..<problem.limits.count
    #expect(services.allSatisfy { relaxation.use[$0] > problem.limits[$0] }, "every target short at zero prices")
    let repaired = problem.repair()
    for r in services { #expect(repaired.use[r] <= problem.limits[r] * (1 + 1e-9), "speed \(r - 3 * problem.nodeCount)") }
    #expect(problem.repairRoundsRun > 0)
    #expect(problem.repairEvaluations <= 3 * problem.productCount * problem.repairRoundsRun)
}

/// A small shortfall is covered by the products missing the most, asked first: in tranches the repair
/// meets every target with fewer trial evaluations than asking every product at once, at nearly the
/// same cost.
@Test func serviceRepairAsksTheProductsMissingMostFirst() {
    let scenario = TestScenarios.networkJustShortOfTargets(products: 60, seed: 9)
    func repaired(tranches: [(coverage: Double, products: Int)]) -> (cost: Double, evaluations: Int, fits: Bool) {
        let problem = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
        problem.repairTranches = tranches
        _ = problem.relax(prices: [Double](repeating: 0, count: problem.limits.count))
        let candidate = problem.repair()
        let fits = ((3 * problem.nodeCount)..<problem.limits.count).allSatisfy { candidate.use[$0] <= problem.limits[$0] * (1 + 1e-9) }
        return (candidate.cost, problem.repairEvaluations, fits)
    }
    let atOnce = repaired(tranches: [(.infinity, .max)])
    let inTranches = repaired(tranches: [(0, 6), (0, 24), (.infinity, .max)])
    #expect(atOnce.fits && inTranches.fits)
    #expect(inTranches.evaluations < atOnce.evaluations, "\(inTranches.evaluations) against \(atOnce.evaluations)")
    #expect(abs(inTranches.cost - atOnce.cost) <= 1e-3 * atOnce.cost)
}

/// After a tranche that covered part of a shortfall, the next one is sized by what its moves covered per
/// product asked (twice the products that rate says the rest needs) where that is fewer than the next
/// scheduled tranche's: the target is met with fewer trial evaluations (here 838 against 1 412), at
/// nearly the same cost.
@Test func serviceRepairSizesTheNextTrancheByWhatTheLastCovered() {
    // One target short, by 2 % of its misses; the others met by any plan.
    var scenario = TestScenarios.unconstrainedNetwork(products: 400, seed: 9)
    let unpriced = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
    let misses = unpriced.relax(prices: [Double](repeating: 0, count: unpriced.limits.count)).use.suffix(scenario.speeds.count)
    for (s, missed) in zip(scenario.speeds.indices, misses) {
        scenario.speeds[s].targetFillRate = s == 0 ? 1 - 0.98 * missed / unpriced.model.speedDemand[s] : 0
    }
    func repaired(byRate: Bool) -> (cost: Double, evaluations: Int, fits: Bool) {
        let problem = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
        problem.repairTranches = [(0, 8), (0, 32), (0, 400), (.infinity, .max)]
        problem.sizesServiceTranchesByRate = byRate
        _ = problem.relax(prices: [Double](repeating: 0, count: problem.limits.count))
        let candidate = problem.repair()
        let fits = ((3 * problem.nodeCount)..<problem.limits.count).allSatisfy { candidate.use[$0] <= problem.limits[$0] * (1 + 1e-9) }
        return (candidate.cost, problem.repairEvaluations, fits)
    }
    let scheduled = repaired(byRate: false)
    let byRate = repaired(byRate: true)
    #expect(scheduled.fits && byRate.fits)
    #expect(byRate.evaluations < scheduled.evaluations, "\(byRate.evaluations) against \(scheduled.evaluations)")
    #expect(abs(byRate.cost - scheduled.cost) <= 1e-3 * scheduled.cost)
    print("service tranches by rate: \(byRate.evaluations) evaluations against \(scheduled.evaluations), cost \(byRate.cost) against \(scheduled.cost)")
}

/// A capacity a little over is relieved by the products using the most of it, asked first: in tranches
/// the repair fits it with fewer trial evaluations than asking every product stocking the node, at
/// nearly the same cost.
@Test func capacityRepairAsksTheProductsUsingMostFirst() throws {
    var scenario = TestScenarios.unconstrainedNetwork(products: 60, seed: 9)
    let unpriced = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
    let use = unpriced.relax(prices: [Double](repeating: 0, count: unpriced.limits.count)).use
    let node = try #require(scenario.nodes.firstIndex { $0.id == "FC-2" })
    scenario.nodes[node].storageCapacity = 0.995 * use[node]
    func repaired(tranches: [(coverage: Double, products: Int)]) -> (cost: Double, evaluations: Int, fits: Bool) {
        let problem = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
        problem.repairTranches = tranches
        _ = problem.relax(prices: [Double](repeating: 0, count: problem.limits.count))
        let candidate = problem.repair()
        let fits = (0..<problem.limits.count).allSatisfy { candidate.use[$0] <= problem.limits[$0] * (1 + 1e-9) }
        return (candidate.cost, problem.repairEvaluations, fits)
    }
    let atOnce = repaired(tranches: [(.infinity, .max)])
    let inTranches = repaired(tranches: [(0, 4), (0, 16), (.infinity, .max)])
    #expect(atOnce.fits && inTranches.fits)
    #expect(inTranches.evaluations < atOnce.evaluations, "\(inTranches.evaluations) against \(atOnce.evaluations)")
    #expect(abs(inTranches.cost - atOnce.cost) <= 1e-3 * atOnce.cost)
}

/// Products kept unsolved while only capacity prices rose count their old minima, each a lower bound of
/// its new one: the relaxation's value stays at or below the one re-solving every product, by no more
/// than the share allowed of its cost, and fewer subproblems are solved.
@Test func productsKeptWhileRaisedKeepTheRelaxationABound() {
    let scenario = TestScenarios.network(products: 60, seed: 9)
    let share = 0.01
    func relaxTwice(keepShare: Double) -> (first: Relaxation, second: Relaxation, solved: Int) {
        let problem = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
        problem.raisedKeepShare = keepShare
        var prices = [Double](repeating: 0, count: problem.limits.count)
        let first = problem.relax(prices: prices)
        let solvedFirst = problem.subproblemsSolved
        // Raise the storage price of the node storing most, by enough to move some products' stock there.
        let node = (0..<problem.nodeCount).max { first.use[$0] < first.use[$1] }!
        prices[node] = 0.02 * first.cost / first.use[node]
        let second = problem.relax(prices: prices)
        return (first, second, problem.subproblemsSolved - solvedFirst)
    }
    let everyProduct = relaxTwice(keepShare: 0)
    let kept = relaxTwice(keepShare: share)
    #expect(kept.first.pricedValue == everyProduct.first.pricedValue)
    #expect(kept.solved < everyProduct.solved, "\(kept.solved) of \(everyProduct.solved) re-solved")
    #expect(kept.second.pricedValue <= everyProduct.second.pricedValue * (1 + 1e-12))
    #expect(kept.second.pricedValue >= everyProduct.second.pricedValue - share * abs(kept.first.cost) - 1e-9)
}

/// The repair's invariant: no capacity within its limit before the repair exceeds it after. (It used to
/// apply every proposal that fitted the slack on its own, so a round's moves together could overfill a
/// capacity; this small instance does not trigger that, the bundled sample did.)
@Test func repairKeepsCapacitiesThatFitWithinTheirLimits() {
    let scenario = TestScenarios.network(products: 60, seed: 9)
    let problem = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
    let relaxation = problem.relax(prices: [Double](repeating: 0, count: problem.limits.count))
    let repaired = problem.repair()
    let capacities = 3 * problem.nodeCount
    var fitting = 0
    for r in 0..<capacities where problem.limits[r].isFinite && relaxation.use[r] <= problem.limits[r] {
        fitting += 1
        #expect(repaired.use[r] <= problem.limits[r] * (1 + 1e-9) + 1e-9, "constraint \(r)")
    }
    #expect(fitting > 0)
}

/// A re-solve warm from the last plan evaluates and repairs that plan before the first relaxation: on an
/// unchanged scenario it is feasible at once, so the re-solve costs no more than the cold one and its
/// first iteration's bound closes the gap the cold solve stopped at. (It may take one price step more:
/// a first relaxation at the old prices more than 5 % over a limit does not stop on the gap, and on
/// this 60-product network the heuristic relaxation swings that far.)
@Test func warmResolveStartsFromTheLastPlan() {
    let scenario = TestScenarios.network(products: 60, seed: 9)
    let limits = SolveLimits(gap: 0.005, maxIterations: 60, threads: 2)
    let cold = Solver().solve(scenario: scenario, limits: limits)
    #expect(cold.violations.isEmpty)
    let warm = Solver().solve(scenario: scenario, limits: limits, warmStart: WarmStart(cold))
    #expect(warm.violations.isEmpty)
    #expect(warm.costs.total <= cold.costs.total * (1 + 1e-9))
    #expect(warm.iterations <= 2)
    #expect(warm.history.first?.gap ?? .infinity <= 0.005)
    #expect(warm.gap <= 0.005)
}

/// After the fullest storage is cut to 80 % of what the last plan keeps there, the warm re-solve's plan
/// fits the new capacity and every target, within the gap asked. (The last plan, which no longer fits,
/// is not repaired before the first relaxation: the assembled plans of the first iterations are
/// repaired sooner; see `InventoryProblem.repairStartingPlan`.)
@Test func warmResolveRepairsACapacityCut() throws {
    let scenario = TestScenarios.network(products: 60, seed: 9)
    let limits = SolveLimits(gap: 0.005, maxIterations: 60, threads: 2)
    let cold = Solver().solve(scenario: scenario, limits: limits)
    let fullest = scenario.nodes.indices.max { cold.nodes[$0].storageUsed / scenario.nodes[$0].storageCapacity < cold.nodes[$1].storageUsed / scenario.nodes[$1].storageCapacity }!
    let capacity = 0.8 * cold.nodes[fullest].storageUsed
    let changed = try scenario.applying([.setCapacity(node: fullest, storage: capacity, outbound: nil, inbound: nil)])
    var snapshots: [SolverSnapshot] = []
    let warm = Solver().solve(scenario: changed, limits: limits, warmStart: WarmStart(cold)) { snapshots.append($0) }
    #expect(warm.violations.isEmpty)
    #expect(warm.nodes[fullest].storageUsed <= capacity * (1 + 1e-6))
    #expect(warm.gap <= limits.gap)
    #expect(snapshots.last?.bestPrimal.isFinite == true)
}

/// A what-if that changes only limits leaves every subproblem as it was, so the warm solve's first
/// relaxation is the last solve's at its best dual prices, carried over unsolved: its dual value is the
/// cold solve's bound moved by exactly the price times the change of each limit (the relaxation's
/// `−Σ price · limit` term). After a demand change nothing is carried and every product is solved again.
@Test func aLimitOnlyWhatIfCarriesTheLastRelaxation() throws {
    let scenario = TestScenarios.network(products: 60, seed: 9, storageScale: 0.4, targets: [0.3, 0.75, 0.85])
    // A tight gap, so that the prices move off zero.
    let limits = SolveLimits(gap: 1e-4, maxIterations: 60, threads: 2)
    let cold = Solver().solve(scenario: scenario, limits: limits)
    #expect(cold.relaxation != nil)
    // The node whose outbound flow is dearest has its outbound capacity cut, and the dearest speed's
    // target is lowered a point.
    let node = scenario.nodes.indices.max { cold.nodes[$0].outboundPrice < cold.nodes[$1].outboundPrice }!
    let speed = scenario.speeds.indices.max { cold.speeds[$0].price < cold.speeds[$1].price }!
    #expect(cold.nodes[node].outboundPrice > 0 && cold.speeds[speed].price > 0)
    let outbound = 0.8 * scenario.nodes[node].outboundCapacity
    let target = scenario.speeds[speed].targetFillRate - 0.01
    let changed = try scenario.applying([
        .setCapacity(node: node, storage: nil, outbound: outbound, inbound: nil),
        .setSpeedService(speed: speed, targetFillRate: target, missPenalty: nil),
    ])
    #expect(changed.limitsFreeDigest == scenario.limitsFreeDigest)
    var first = limits
    first.maxIterations = 1
    var statistics = SolveStatistics()
    var snapshots: [SolverSnapshot] = []
    _ = Solver().solve(
        model: PlanningModel(scenario: changed), limits: first, warmStart: WarmStart(cold), statistics: &statistics
    ) { snapshots.append($0) }
    #expect(statistics.subproblemsSolved == 0)
    // The service limit is the misses allowed, (1 − target) × the speed's demand.
    let speedDemand = PlanningModel(scenario: scenario).speedDemand[speed]
    let expected = cold.dualBound
        - cold.nodes[node].outboundPrice * (outbound - scenario.nodes[node].outboundCapacity)
        - cold.speeds[speed].price * (scenario.speeds[speed].targetFillRate - target) * speedDemand
    let value = try #require(snapshots.first?.dualBound)
    #expect(abs(value - expected) <= 1e-9 * abs(expected), "carried \(value), expected \(expected)")

    let surge = try scenario.applying([.scaleDemand(scope: .all, factor: 1.1)])
    #expect(surge.limitsFreeDigest != scenario.limitsFreeDigest)
    var surgeStatistics = SolveStatistics()
    _ = Solver().solve(model: PlanningModel(scenario: surge), limits: first, warmStart: WarmStart(cold), statistics: &surgeStatistics)
    #expect(surgeStatistics.subproblemsSolved == scenario.products.count)
}

/// The final evaluation counts each chunk's stocked positions first and writes its rows in place: the
/// plan's rows are exactly the store's positive base stocks, in product and node order, the same for any
/// number of threads, and unchosen vendors fall back to each product's first.
@Test func finalEvaluationKeepsExactlyTheStockedPositions() {
    let scenario = TestScenarios.network(products: 1100, seed: 2)  // three chunks of 512
    let model = PlanningModel(scenario: scenario)
    var offsets = [0]
    for p in scenario.products.indices { offsets.append(offsets[p] + model.candidateNodes(of: p).count) }
    let store = SolutionStore(
        positions: offsets[scenario.products.count], products: scenario.products.count, speedCount: model.speedCount,
        contents: .planOnly)
    var expected: [[Int32]] = []
    for p in scenario.products.indices {
        for (i, node) in model.candidateNodes(of: p).enumerated() {
            let stock = Int32((p + 2 * i) % 5 == 0 ? 0 : (p * 7 + i) % 9)
            store.stocks[offsets[p] + i] = stock
            if stock > 0 { expected.append([Int32(p), Int32(node), stock]) }
        }
    }
    #expect(expected.count > 2000)
    let one = Solver.evaluatePlan(model: model, store: store, offsets: offsets, threads: 1)
    let three = Solver.evaluatePlan(model: model, store: store, offsets: offsets, threads: 3)
    #expect(one.plan.positions.map { [$0.product, $0.node, $0.baseStock] } == expected)
    #expect(one.plan == three.plan)
    #expect(one.use == three.use)
    #expect(one.costs == three.costs)
    #expect(one.plan.vendorChoice == scenario.products.map { Int32($0.vendors.lowerBound) })
    // The rows carry the evaluation's own numbers: the evaluator of a plan gives the same total cost.
    let evaluations = ProductEvaluator(scenario: scenario).evaluate(plan: one.plan)
    let cost = evaluations.reduce(0) { $0 + $1.costs.total }
    #expect(abs(cost - one.costs.total) <= 1e-9 * cost)
}

/// A warm start tells the products a change touched from those it left alone (their plan evaluates
/// exactly as before): a capacity cut touches none, so the first relaxation searches no vendor or
/// supplier again; scaling one product's demand touches that product only.
@Test func warmStartFindsTheProductsAChangeTouched() throws {
    let scenario = TestScenarios.network(products: 60, seed: 9)
    let cold = Solver().solve(scenario: scenario, limits: SolveLimits(gap: 0.005, maxIterations: 60, threads: 2))
    func untouched(_ changes: [WhatIf]) throws -> [Bool] {
        let problem = InventoryProblem(model: PlanningModel(scenario: try scenario.applying(changes)), threads: 2)
        problem.warmStart(from: cold.plan)
        _ = problem.repairStartingPlan(deadline: UInt64.max)
        return problem.unchangedSinceWarmStart
    }
    let fullest = scenario.nodes.indices.max { cold.nodes[$0].storageUsed < cold.nodes[$1].storageUsed }!
    let cut = try untouched([.setCapacity(node: fullest, storage: 0.5 * cold.nodes[fullest].storageUsed, outbound: nil, inbound: nil)])
    #expect(cut == [Bool](repeating: true, count: 60))
    let stocked = Int(cold.plan.positions[0].product)
    let surge = try untouched([.scaleDemand(scope: .product(stocked), factor: 1.5)])
    #expect(surge.indices.filter { !surge[$0] } == [stocked])
}

/// A large cold solve starts from the prices of a sample (every sixth product of each template, in
/// order of demand, on capacities shrunk to its share of the demand): its first relaxation's bound is
/// above the one zero prices give and within 1 % of where the cold solve's bound ended, and its plan
/// fits, in fewer iterations.
@Test func samplePricesStartALargeSolveNearItsBound() {
    let scenario = TestScenarios.network(products: 600, seed: 3)
    let limits = SolveLimits(gap: 0.005, maxIterations: 60, threads: 2)
    let cold = Solver(sampledStartThreshold: .max).solve(scenario: scenario, limits: limits)
    let sampled = Solver(sampledStartThreshold: 600, sampleSize: 100).solve(scenario: scenario, limits: limits)
    let coldFirst = cold.history.first!.dualBound, sampledFirst = sampled.history.first!.dualBound
    // (Measured: 612 891 from zero prices, 614 677 from the sample's, the cold bound ending at 615 247
    // after 8 iterations, the sampled solve done in 2.)
    #expect(sampledFirst > coldFirst)
    #expect(sampled.iterations < cold.iterations)
    #expect(abs(sampledFirst - cold.dualBound) <= 0.01 * abs(cold.dualBound))
    #expect(cold.violations.isEmpty && sampled.violations.isEmpty)
    #expect(sampled.gap <= 0.005)
}

/// A scenario with fewer than three products per asked-for sample product is sampled one product in
/// three (the bundled sample's 2 500 products, 833; before, a sample as large as the scenario was
/// refused and the solve started from zero prices): the sample's prices start the solve within 1 % of
/// the bound a solve from zero prices ends at.
@Test func aSmallScenarioIsSampledOneProductInThree() {
    let scenario = TestScenarios.network(products: 600, seed: 3)
    let limits = SolveLimits(gap: 0.005, maxIterations: 60, threads: 2)
    let solver = Solver(sampledStartThreshold: 600, sampleSize: 2_500)
    let sampled = solver.sampledPrices(model: PlanningModel(scenario: scenario), limits: limits)
    #expect(sampled != nil)
    let cold = Solver(sampledStartThreshold: .max).solve(scenario: scenario, limits: limits)
    let warm = solver.solve(scenario: scenario, limits: limits)
    #expect(abs(warm.history.first!.dualBound - cold.dualBound) <= 0.01 * abs(cold.dualBound))
    #expect(warm.violations.isEmpty && warm.gap <= 0.005)
}

/// The relaxation's runs go to whichever worker is free: every index is handed out exactly once, however
/// many threads ask at once.
@Test func workQueueHandsOutEveryIndexOnce() {
    let count = 20_000
    let queue = WorkQueue(count: count)
    let taken = SharedBuffer<Int32>(repeating: 0, count: count)
    parallelFor(workers: 4) { _ in
        while let index = queue.take() { taken[index] += 1 }
    }
    #expect((0..<count).allSatisfy { taken[$0] == 1 })
    #expect(queue.take() == nil)
}

/// When every price that moved went up, a product whose plan uses none of the raised capacities keeps
/// its plan without being solved again (its priced cost is unchanged and every other plan's rose).
@Test func raisedCapacityPriceResolvesOnlyTheProductsUsingIt() {
    let scenario = TestScenarios.network(products: 60, seed: 9)
    let model = PlanningModel(scenario: scenario)
    let problem = InventoryProblem(model: model, threads: 1)
    var prices = [Double](repeating: 0, count: problem.limits.count)
    prices[3 * problem.nodeCount] = 2
    _ = problem.relax(prices: prices)
    // The storage node the fewest products stock (but some do).
    var stocking = [Int](repeating: 0, count: problem.nodeCount)
    for p in 0..<problem.productCount {
        let template = model.templates[Int(model.templateOfProduct[p])]
        for i in 0..<template.nodeCount where problem.current.storageUse[problem.offsets[p] + i] > 0 { stocking[Int(template.nodes[i])] += 1 }
    }
    let node = (0..<problem.nodeCount).filter { stocking[$0] > 0 }.min { stocking[$0] < stocking[$1] }!
    #expect(stocking[node] < problem.productCount)
    var raised = prices
    raised[node] += 0.5
    let pricedBefore = (0..<problem.productCount).map { problem.current.pricedCost[$0] }
    let usedBefore = (0..<problem.productCount).map { p in
        let template = model.templates[Int(model.templateOfProduct[p])]
        return (0..<template.nodeCount).contains { Int(template.nodes[$0]) == node && problem.current.storageUse[problem.offsets[p] + $0] > 0 }
    }
    let before = problem.subproblemsSolved
    _ = problem.relax(prices: raised)
    #expect(problem.subproblemsSolved - before == stocking[node])
    // Those kept are priced as before: they use nothing of what was raised.
    for p in 0..<problem.productCount where !usedBefore[p] {
        #expect(problem.current.pricedCost[p] == pricedBefore[p], "product \(p)")
    }
}

/// A cold relaxation seeds each product's search from the most similar of the last products solved in
/// its run (demand, holding cost, cube, variance, lead time), not just the one before it, nearest in
/// demand: fewer evaluations, and searches that end in cheaper plans (the priced minimum no higher).
/// At 10 k products 207 652 → 147 867 evaluations. Deterministic counts on a generated scenario.
@Test func coldSeedsFromTheMostSimilarProductSaveEvaluations() {
    let model = PlanningModel(scenario: ScenarioGenerator(products: 1500, seed: 5).makeScenario())
    func firstRelaxation(seedCandidates: Int) -> (evaluations: Int, priced: Double) {
        let problem = InventoryProblem(model: model, threads: 2)
        problem.seedCandidates = seedCandidates
        let relaxation = problem.relax(prices: [Double](repeating: 0, count: problem.resourceCount))
        return (problem.evaluationCounts.evaluations, relaxation.pricedValue)
    }
    let previousOnly = firstRelaxation(seedCandidates: 1)
    let mostSimilar = firstRelaxation(seedCandidates: InventoryProblem.defaultSeedCandidates)
    #expect(Double(mostSimilar.evaluations) < 0.9 * Double(previousOnly.evaluations))
    #expect(mostSimilar.priced <= previousOnly.priced * (1 + 1e-9))
}

/// A sample of one product in `highestPricesFromStride` or fewer hands on each price's highest over its
/// last relaxations (SampledStart.swift): the prices-only solve it runs returns, node by node and speed by
/// speed, the largest of its last iterations' prices.
@Test func aSparseSampleHandsOnEachPricesHighest() {
    let scenario = TestScenarios.network(products: 120, seed: 5)
    var solver = Solver(sampledStartThreshold: 0)
    solver.pricesOnly = true
    solver.pricesTakeHighest = true
    let limits = SolveLimits(gap: 0.005, maxIterations: Solver.sampleIterations, threads: 2)
    let result = solver.solve(scenario: scenario, limits: limits)
    let last = result.history.suffix(MasterOptions(gap: 0, maxIterations: 1).averagedIterations)
    #expect(last.count == 4)
    for n in scenario.nodes.indices {
        #expect(abs(result.nodes[n].storagePrice - last.map { $0.nodes[n].storagePrice }.max()!) <= 1e-9)
        #expect(abs(result.nodes[n].outboundPrice - last.map { $0.nodes[n].outboundPrice }.max()!) <= 1e-9)
    }
    for s in scenario.speeds.indices {
        #expect(abs(result.speeds[s].price - last.map { $0.speeds[s].price }.max()!) <= 1e-9)
    }
    // Some price swung over those iterations, so the highest is not just the last.
    #expect(last.contains { snapshot in
        scenario.nodes.indices.contains {
            snapshot.nodes[$0].storagePrice < result.nodes[$0].storagePrice - 1e-9
                || snapshot.nodes[$0].outboundPrice < result.nodes[$0].outboundPrice - 1e-9
        } || scenario.speeds.indices.contains { snapshot.speeds[$0].price < result.speeds[$0].price - 1e-9 }
    })
    // The sample of a scenario ten times its size is that sparse; one of three is not.
    #expect(10 >= Solver.highestPricesFromStride && 3 < Solver.highestPricesFromStride)
}

/// A carried relaxation keeps its fixed point's fill rates, and, without its recorded evaluation, its
/// evaluation in the re-solve starts there: the same first relaxation (dual value to 1e-9) in fewer
/// fixed-point sweeps than from the usual guess. (At 100 k products that evaluation took 2.5 s from the
/// guess and 1.3 s from the carried rates.) With its recorded evaluation, none is needed: the same
/// dual value, and the re-solve's plan costs the same (to 1e-9) with fewer evaluations.
@Test func aCarriedRelaxationIsEvaluatedFromItsFillRates() throws {
    let scenario = TestScenarios.network(products: 60, seed: 9, storageScale: 0.4, targets: [0.3, 0.75, 0.85])
    let limits = SolveLimits(gap: 1e-4, maxIterations: 60, threads: 2)
    let cold = Solver().solve(scenario: scenario, limits: limits)
    let carried = try #require(cold.relaxation)
    #expect(carried.fills.count == carried.stocks.count)
    #expect(carried.fills.contains { $0 > 0 && $0 < 1 })
    let node = scenario.nodes.indices.max { cold.nodes[$0].storagePrice < cold.nodes[$1].storagePrice }!
    let changed = try scenario.applying([
        .setCapacity(node: node, storage: 0.8 * scenario.nodes[node].storageCapacity, outbound: nil, inbound: nil)
    ])
    var first = limits
    first.maxIterations = 1
    func firstRelaxation(_ relaxation: CarriedRelaxation) -> (value: Double, sweeps: Int) {
        var start = WarmStart(cold)
        start.relaxation = relaxation
        var statistics = SolveStatistics()
        var snapshots: [SolverSnapshot] = []
        _ = Solver().solve(model: PlanningModel(scenario: changed), limits: first, warmStart: start, statistics: &statistics) {
            snapshots.append($0)
        }
        #expect(statistics.subproblemsSolved == 0)
        return (snapshots.first?.dualBound ?? .nan, statistics.sweeps)
    }
    #expect(carried.hasEvaluation)
    func withoutEvaluation(fills: [Float]) -> CarriedRelaxation {
        CarriedRelaxation(
            prices: carried.prices, stocks: carried.stocks, vendors: carried.vendors, fills: fills, exact: carried.exact,
            boundSlack: carried.boundSlack, digest: carried.digest)
    }
    let withFills = firstRelaxation(withoutEvaluation(fills: carried.fills))
    // Zero fill rates start every stocked node from the usual guess (`startFills`).
    let withoutFills = firstRelaxation(withoutEvaluation(fills: [Float](repeating: 0, count: carried.fills.count)))
    #expect(abs(withFills.value - withoutFills.value) <= 1e-9 * abs(withoutFills.value))
    #expect(withFills.sweeps < withoutFills.sweeps, "\(withFills.sweeps) sweeps against \(withoutFills.sweeps)")
    let recorded = firstRelaxation(carried)
    #expect(abs(recorded.value - withFills.value) <= 1e-9 * abs(withFills.value))

    // The whole re-solve, from the recorded evaluation and from the evaluation again.
    func resolve(_ relaxation: CarriedRelaxation) -> (objective: Double, gap: Double, feasible: Bool, evaluations: Int) {
        var start = WarmStart(cold)
        start.relaxation = relaxation
        var statistics = SolveStatistics()
        let result = Solver().solve(model: PlanningModel(scenario: changed), limits: limits, warmStart: start, statistics: &statistics)
        return (result.costs.total, result.gap, result.violations.isEmpty, statistics.evaluations)
    }
    let fromRecord = resolve(carried)
    let fromEvaluation = resolve(withoutEvaluation(fills: carried.fills))
    #expect(fromRecord.feasible && fromEvaluation.feasible)
    #expect(abs(fromRecord.objective - fromEvaluation.objective) <= 1e-9 * abs(fromEvaluation.objective))
    #expect(fromRecord.evaluations < fromEvaluation.evaluations, "\(fromRecord.evaluations) evaluations against \(fromEvaluation.evaluations)")
}

/// The marginal step checks a supplier's proposed cut on the model of its children's lead times before
/// the full model is asked (`ProductWorkspace.SearchRules`): a cold relaxation takes a quarter fewer
/// evaluations, and its subproblems' minima stay within a hundredth of a percent (here 15 260 against
/// 20 685 evaluations, priced value 36 031.1 against 36 032.7; lower on the bundled sample and at 100 k).
/// Deterministic counts on a generated scenario.
@Test func theMarginalStepScreensSupplierCuts() {
    let model = PlanningModel(scenario: ScenarioGenerator(products: 1500, seed: 5).makeScenario())
    func firstRelaxation(_ rules: ProductWorkspace.SearchRules) -> (evaluations: Int, priced: Double) {
        let problem = InventoryProblem(model: model, threads: 2)
        problem.searchRules = rules
        let relaxation = problem.relax(prices: [Double](repeating: 0, count: problem.resourceCount))
        return (problem.evaluationCounts.evaluations, relaxation.pricedValue)
    }
    let screened = firstRelaxation(.init())
    let unscreened = firstRelaxation(.init(screensSupplierCuts: false))
    #expect(Double(screened.evaluations) < 0.8 * Double(unscreened.evaluations))
    #expect(abs(screened.priced - unscreened.priced) <= 1e-4 * unscreened.priced)
}
