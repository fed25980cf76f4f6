// The restricted master over earlier relaxations' plans (ColumnPool, InventoryProblem.assemble).

import EchelonModel
import Testing

@testable import EchelonCore

/// Relaxes a 600-product network (two chunks) at zero prices, then at the prices of a short solve and at
/// twice those, so that every product has up to three columns.
private func problemWithColumns(threads: Int = 1) -> (InventoryProblem, [Double], [Relaxation]) {
    let scenario = TestScenarios.network(products: 600, seed: 3)
    let solved = Solver().solve(scenario: scenario, limits: SolveLimits(gap: 0.001, maxIterations: 4, threads: threads))
    let prices = WarmStart(solved).prices.flattened
    let problem = InventoryProblem(model: PlanningModel(scenario: scenario), threads: threads)
    var relaxations: [Relaxation] = []
    for factor in [0.0, 2.0, 1.0] {
        relaxations.append(problem.relax(prices: prices.map { $0 * factor }))
    }
    return (problem, prices, relaxations)
}

/// Products are independent given their plans, so the assembled plan's use is the sum of its columns'
/// use: evaluating the assembled plan afresh, product by product, gives the same totals and cost.
@Test func assembledPlanUseIsItsOwnEvaluation() throws {
    let (problem, prices, _) = problemWithColumns()
    let pool = try #require(problem.columnPool)
    let mixed = (0..<problem.productCount).filter { pool.held[$0] > 1 }.count
    #expect(mixed > 100, "\(mixed) products with more than one column")
    let assembled = try #require(problem.assemble(prices: prices, deadline: .max))
    let choice = try #require(problem.assembledChoice)
    // Some products take a column other than the last relaxation's: it is a mix, not a copy.
    #expect((0..<problem.productCount).contains { choice[$0] != problem.relaxationColumn[$0] })
    let evaluated = Solver.evaluatePlan(
        model: problem.model, store: problem.repaired, offsets: problem.offsets, threads: 1)
    for r in 0..<problem.resourceCount {
        #expect(abs(evaluated.use[r] - assembled.use[r]) <= 1e-6 * max(1, abs(assembled.use[r])), "constraint \(r)")
    }
    #expect(abs(evaluated.costs.total - assembled.cost) <= 1e-9 * assembled.cost)
}

/// The assembly keeps the relaxation's own plan unless a mix is closer to fitting, and its exchanges only
/// relieve constraints over their limits, so it is never further from feasible than the last relaxation;
/// here, with one relaxation at twice the prices of the other, it is strictly closer.
@Test func assembledPlanIsNoFurtherFromFeasibleThanTheRelaxation() throws {
    let (problem, prices, relaxations) = problemWithColumns()
    let assembled = try #require(problem.assemble(prices: prices, deadline: .max))
    let relaxationViolation = problem.relativeViolation(relaxations.last!.use)
    let assembledViolation = problem.relativeViolation(assembled.use)
    #expect(relaxationViolation > 0, "the last relaxation fits already: the test needs one that does not")
    #expect(assembledViolation < relaxationViolation)
    // The relaxation column of every product is the last relaxation's plan.
    let pool = try #require(problem.columnPool)
    for p in 0..<problem.productCount {
        let k = Int(problem.relaxationColumn[p])
        let n = problem.model.templates[Int(problem.model.templateOfProduct[p])].nodeCount
        for i in 0..<n {
            #expect(pool.stocks[k * pool.positions + problem.offsets[p] + i] == problem.current.stocks[problem.offsets[p] + i])
        }
    }
}

/// A plan already held is not held twice; the ring replaces the oldest column once it is full.
@Test func columnPoolKeepsDistinctPlansInARing() {
    let store = SolutionStore(positions: 2, products: 1, speedCount: 1)
    let pool = ColumnPool(depth: 2, positions: 2, products: 1, speedCount: 1, node: SharedBuffer(repeating: 0, count: 2))
    func add(_ stocks: [Int32], cost: Double) {
        store.stocks[0] = stocks[0]
        store.stocks[1] = stocks[1]
        store.vendor[0] = 0
        store.cost[0] = cost
        pool.add(from: store, product: 0, offset: 0, nodeCount: 2)
    }
    add([1, 2], cost: 10)
    add([1, 2], cost: 10)
    #expect(pool.held[0] == 1)
    add([3, 0], cost: 11)
    #expect(pool.held[0] == 2)
    add([5, 5], cost: 12)
    #expect(pool.held[0] == 2)
    // [1, 2] was the oldest and is gone; [3, 0] and [5, 5] remain.
    let held = (0..<2).map { k in [pool.stocks[k * 2], pool.stocks[k * 2 + 1]] }
    #expect(Set(held) == Set([[3, 0], [5, 5]]))
    #expect(ColumnPool.depth(positions: 26_000_000) == 0)
    #expect(ColumnPool.depth(positions: 2_600_000) == 4)
}

