import EchelonCore
import EchelonModel

/// Selection, scroll, sort and filter of one table.
public struct TableState: Sendable, Hashable {
    public var selected = 0
    public var scroll = 0
    public var sortColumn = 0
    public var ascending = true
    public var filter = ""
    public init() {}
}

/// Where a solve stands.
public enum SolvePhase: Sendable, Hashable {
    case idle
    case running
    case finished(StopReason)
    case failed(String)
}

/// One solve as the dashboard saw it: its iterations as they arrived and its result.
public struct SolveTrack: Sendable {
    public var generation: Int
    public var phase: SolvePhase
    public var history: [SolverSnapshot]
    public var result: SolveResult?
    /// `DashboardState.clock` when the solve started.
    public var startedAt: Double = 0
    public init(generation: Int, phase: SolvePhase = .running, history: [SolverSnapshot] = [], result: SolveResult? = nil) {
        self.generation = generation
        self.phase = phase
        self.history = history
        self.result = result
    }
    public var latest: SolverSnapshot? { history.last }
}

/// An overlay over the current screen.
public enum Overlay: Sendable, Hashable {
    case none
    case help
    case confirmQuit
}

/// A mouse event in screen cells.
public struct MouseEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case press, wheelUp, wheelDown }
    public var x: Int
    public var y: Int
    public var kind: Kind
    public init(x: Int, y: Int, kind: Kind) {
        self.x = x
        self.y = y
        self.kind = kind
    }
}

/// Everything the dashboard reacts to.
public enum DashboardEvent: Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
    case session(SessionEvent)
    /// The session's scenario after an `apply` or `undo`.
    case scenarioChanged(Scenario)
    /// A line for the status bar (errors from effects, "saved to …").
    case message(String, isError: Bool)
    /// The time now, in seconds on a monotonic clock (sent while a solve runs, for its elapsed time).
    case tick(Double)
}

/// What the reducer asks the outside world to do.
public enum Effect: Sendable, Hashable {
    case quit
    case startSolve
    case cancelSolve
    case apply([WhatIf])
    case undo
    case savePlan
}

/// The whole UI state: a value, changed only by `DashboardState.update(_:)`.
public struct DashboardState: Sendable {
    public var scenario: Scenario
    public var index: ScenarioIndex
    public var search: ProductSearch
    public var width: Int
    public var height: Int
    public var glyphs: Glyphs
    public var readOnly: Bool
    public var themeName: String

    public var screen: Screen = .network
    public var backStack: [Screen] = []
    public var overlay: Overlay = .none
    /// The table whose filter is being typed, if any.
    public var filterPrompt: Screen?
    public var message: String?
    public var messageIsError = false
    /// A message that lasts while a solve runs, and what replaces it when that solve finishes.
    var solveMessage: (running: String, finished: String)?

    public var network = TableState()
    public var node = TableState()
    public var product = TableState()
    public var violations = TableState()
    public var currentNode = 0
    public var currentProduct = 0

    public var whatIf: WhatIfForm
    /// Changes typed but not yet applied.
    public var pendingChanges: [WhatIf] = []
    /// Applied batches, newest last (for undo).
    public var appliedChanges: [[WhatIf]] = []
    /// The result the last what-if is compared against.
    public var diffBase: SolveResult?
    public var diffBaseScenario: Scenario?
    /// The generation of the solve `diffBase` came from.
    public var diffBaseGeneration: Int?
    /// Per-node totals of the diff, computed once when the re-solve finishes (plans can hold millions of positions).
    public var diff: PlanDiff?

    public var solve: SolveTrack?
    /// The solve before the current one, for comparison on the convergence screen.
    public var previousSolve: SolveTrack?
    /// The last finished result (kept while a re-solve runs so screens keep their data).
    public var result: SolveResult?
    public var planIndex: PlanIndex?
    /// Rows of the node screen's table (position indices), sorted and filtered; cached because a
    /// node of a large network holds tens of thousands of positions.
    public private(set) var nodeRows: [Int] = []
    var nodeRowsKey: NodeRowsKey?

    public var quitRequested = false
    /// The last `tick`, seconds on a monotonic clock; injected so the reducer stays pure.
    public var clock: Double = 0

    public init(scenario: Scenario, width: Int, height: Int, glyphs: Glyphs = .unicode, readOnly: Bool = false, themeName: String = "dark") {
        self.scenario = scenario
        self.index = ScenarioIndex(scenario)
        self.search = ProductSearch(scenario)
        self.width = width
        self.height = height
        self.glyphs = glyphs
        self.readOnly = readOnly
        self.themeName = themeName
        self.whatIf = WhatIfForm()
        self.whatIf.loadDefaults(from: scenario)
        self.violations.ascending = false
    }

    /// Node usage and prices to show now: the running solve's latest iteration, else the last result.
    public var usage: [NodeUsage]? {
        if let latest = solve?.latest, solve?.phase == .running { return latest.nodes }
        return result?.nodes ?? solve?.latest?.nodes
    }

    public var speedService: [SpeedService]? {
        if let latest = solve?.latest, solve?.phase == .running { return latest.speeds }
        return result?.speeds ?? solve?.latest?.speeds
    }

    public var isSolving: Bool { solve?.phase == .running }

    var currentNodeRowsKey: NodeRowsKey {
        NodeRowsKey(node: currentNode, generation: solve?.generation ?? -1, hasResult: result != nil,
                    sortColumn: node.sortColumn, ascending: node.ascending, filter: node.filter)
    }

    /// True when `nodeRows` matches the node, result, sort and filter.
    public var nodeRowsAreCurrent: Bool { nodeRowsKey == currentNodeRowsKey }

    /// Brings the cached rows up to date before a frame. The reducer leaves them stale while keys
    /// arrive, so a burst of typed filter characters costs one filter and sort, not one per key.
    public mutating func prepareForRender() {
        if screen == .node { refreshNodeRows() }
    }

    /// Keeps the node screen's cached rows in step with the node, result, sort and filter.
    mutating func refreshNodeRows() {
        let key = currentNodeRowsKey
        if key == nodeRowsKey { return }
        nodeRowsKey = key
        nodeRows = NodeView.rows(state: self)
        node.selected = min(node.selected, max(0, nodeRows.count - 1))
    }
}

struct NodeRowsKey: Sendable, Hashable {
    var node: Int
    var generation: Int
    var hasResult: Bool
    var sortColumn: Int
    var ascending: Bool
    var filter: String
}

/// Positions of a plan grouped by node and by product, built once per result.
public struct PlanIndex: Sendable {
    public let byNode: [[Int]]
    public let byProduct: [Range<Int>]

    public init(plan: Plan, nodeCount: Int, productCount: Int) {
        var byNode = [[Int]](repeating: [], count: nodeCount)
        var byProduct = [Range<Int>](repeating: 0..<0, count: productCount)
        var start = 0
        let positions = plan.positions
        while start < positions.count {
            let product = Int(positions[start].product)
            var end = start
            while end < positions.count, Int(positions[end].product) == product {
                let n = Int(positions[end].node)
                if n >= 0, n < nodeCount { byNode[n].append(end) }
                end += 1
            }
            if product >= 0, product < productCount { byProduct[product] = start..<end }
            start = end
        }
        self.byNode = byNode
        self.byProduct = byProduct
    }
}

/// What a what-if changed, per node: expected on-hand units before and after.
public struct PlanDiff: Sendable {
    public var generation: Int
    public var unitsBefore: [Double]
    public var unitsAfter: [Double]

    public init(before: SolveResult, after: SolveResult, generation: Int, nodeCount: Int) {
        self.generation = generation
        unitsBefore = Self.units(before.plan, nodeCount)
        unitsAfter = Self.units(after.plan, nodeCount)
    }

    static func units(_ plan: Plan, _ nodeCount: Int) -> [Double] {
        var units = [Double](repeating: 0, count: nodeCount)
        for p in plan.positions where Int(p.node) < nodeCount { units[Int(p.node)] += p.expectedOnHand }
        return units
    }
}
