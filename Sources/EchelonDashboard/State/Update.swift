import EchelonCore
import EchelonModel

extension DashboardState {
    /// The reducer: applies one event to the state and returns what the outside world must do.
    /// Pure apart from the state it mutates; every key of `Keymap.bindings` lands here.
    @discardableResult
    public mutating func update(_ event: DashboardEvent) -> [Effect] {
        switch event {
        case .key(let key): return handle(key)
        case .mouse(let mouse): return handle(mouse)
        case .resize(let w, let h):
            width = w
            height = h
            clampAllTables()
            return []
        case .session(let sessionEvent):
            handle(sessionEvent)
            return []
        case .scenarioChanged(let newScenario):
            // What-ifs never rename products or vendors, so the search index survives them.
            if newScenario.products.count != scenario.products.count || newScenario.vendors.count != scenario.vendors.count {
                search = ProductSearch(newScenario)
            }
            scenario = newScenario
            index = ScenarioIndex(newScenario)
            return []
        case .message(let text, let isError):
            message = text
            messageIsError = isError
            return []
        case .tick(let now):
            clock = now
            return []
        }
    }

    // MARK: keys

    mutating func handle(_ key: Key) -> [Effect] {
        switch overlay {
        case .help:
            overlay = .none
            return []
        case .confirmQuit:
            overlay = .none
            if key == .character("y") || key == .character("q") || key == .enter || key == .control("c") {
                quitRequested = true
                return [.cancelSolve, .quit]
            }
            message = "Quit cancelled"
            messageIsError = false
            return []
        case .none:
            break
        }
        if let prompt = filterPrompt { return handleFilterTyping(key, table: prompt) }
        if screen == .whatIf {
            if case .character(let c) = key, whatIf.type(c) { return [] }
            if key == .backspace, whatIf.backspace() { return [] }
        }
        guard let binding = Keymap.binding(for: key, on: screen) else { return [] }
        if readOnly && binding.changesPlan {
            message = "Read-only mode: '\(binding.label)' is disabled"
            messageIsError = true
            return []
        }
        return perform(binding.action)
    }

    mutating func handleFilterTyping(_ key: Key, table: Screen) -> [Effect] {
        switch key {
        case .enter:
            filterPrompt = nil
        case .escape:
            filterPrompt = nil
            setFilter("", on: table)
        case .backspace, .delete:
            var text = tableState(table).filter
            if !text.isEmpty { text.removeLast() }
            setFilter(text, on: table)
        case .up, .down, .pageUp, .pageDown:
            return perform(Keymap.binding(for: key, on: screen)?.action ?? .moveUp)
        case .character(let c):
            setFilter(tableState(table).filter + String(c), on: table)
        default:
            break
        }
        return []
    }

    mutating func setFilter(_ text: String, on table: Screen) {
        modifyTable(table) {
            $0.filter = text
            $0.selected = 0
            $0.scroll = 0
        }
    }

    /// Runs a keymap action.
    public mutating func perform(_ action: Action) -> [Effect] {
        if message != nil, !messageIsError { message = nil }
        switch action {
        case .quit:
            if isSolving {
                overlay = .confirmQuit
                return []
            }
            quitRequested = true
            return [.quit]
        case .help:
            overlay = .help
        case .back:
            if let previous = backStack.popLast() {
                screen = previous
            } else if isTable(screen), !tableState(screen).filter.isEmpty {
                setFilter("", on: screen)
            }
        case .nextScreen, .previousScreen:
            let all = Screen.allCases.filter { !(readOnly && $0 == .whatIf) }
            let at = all.firstIndex(of: screen) ?? 0
            let delta = action == .nextScreen ? 1 : all.count - 1
            go(to: all[(at + delta) % all.count], remember: false)
        case .goTo(let target):
            go(to: target, remember: true)
        case .moveUp: move(by: -1)
        case .moveDown: move(by: 1)
        case .pageUp: move(by: -pageSize)
        case .pageDown: move(by: pageSize)
        case .top: move(by: -Int.max / 2)
        case .bottom: move(by: Int.max / 2)
        case .drillIn:
            drillIn()
        case .filter:
            if isTable(screen) { filterPrompt = screen }
        case .sortNext:
            guard isTable(screen) else { break }
            let count = columnCount(screen)
            let column = (tableState(screen).sortColumn + 1) % max(1, count)
            let ascending = defaultAscending(screen, column: column)
            modifyTable(screen) {
                $0.sortColumn = column
                $0.ascending = ascending
                $0.selected = 0
                $0.scroll = 0
            }
        case .sortReverse:
            guard isTable(screen) else { break }
            modifyTable(screen) { $0.ascending.toggle() }
        case .openWhatIf:
            if let n = selectedNode() { whatIf.node = n }
            whatIf.kind = .capacity
            whatIf.loadDefaults(from: scenario)
            whatIf.focus = 2
            go(to: .whatIf, remember: true)
        case .whatIfNextKind:
            whatIf.cycle(1, scenario: scenario)
        case .whatIfPreviousKind:
            whatIf.cycle(-1, scenario: scenario)
        case .whatIfAddChange:
            switch whatIf.change(scenario: scenario) {
            case .success(let change):
                pendingChanges.append(change)
                message = "Added: \(describe(change, in: scenario)) — press r to re-solve"
                messageIsError = false
            case .failure(let error):
                message = error.message
                messageIsError = true
            }
        case .whatIfRemoveChange:
            if pendingChanges.popLast() != nil {
                message = "Dropped the last pending change"
                messageIsError = false
            }
        case .resolve:
            if pendingChanges.isEmpty {
                return [.startSolve]
            }
            diffBase = result
            diffBaseScenario = scenario
            diffBaseGeneration = solve?.generation
            appliedChanges.append(pendingChanges)
            let changes = pendingChanges
            pendingChanges = []
            let counted = "\(changes.count) change\(changes.count == 1 ? "" : "s")"
            announceSolve("Re-solving with \(counted)", finished: "Re-solved with \(counted)")
            return [.apply(changes), .startSolve]
        case .cancelSolve:
            if isSolving { return [.cancelSolve] }
        case .undo:
            guard let last = appliedChanges.popLast() else {
                message = "Nothing to undo"
                messageIsError = true
                break
            }
            diffBase = result
            diffBaseScenario = scenario
            diffBaseGeneration = solve?.generation
            let undone = "Undid \(last.count) change\(last.count == 1 ? "" : "s")"
            announceSolve("\(undone); re-solving", finished: "\(undone); re-solved")
            return [.undo, .startSolve]
        case .savePlan:
            guard result != nil else {
                message = "No finished plan to save yet"
                messageIsError = true
                break
            }
            return [.savePlan]
        }
        return []
    }

    /// Shows `running` until the solve it announces finishes, then `finished` (unless a key cleared it).
    mutating func announceSolve(_ running: String, finished: String) {
        message = running
        messageIsError = false
        solveMessage = (running, finished)
    }

    mutating func go(to target: Screen, remember: Bool) {
        guard target != screen else { return }
        if readOnly && target == .whatIf {
            message = "Read-only mode: what-ifs are disabled"
            messageIsError = true
            return
        }
        if remember { backStack.append(screen) }
        if backStack.count > 32 { backStack.removeFirst() }
        screen = target
        filterPrompt = nil
    }

    mutating func drillIn() {
        switch screen {
        case .network:
            let rows = NetworkView.rows(state: self)
            guard rows.indices.contains(network.selected) else { return }
            openNode(rows[network.selected])
        case .node:
            refreshNodeRows()
            guard nodeRows.indices.contains(node.selected), let result else { return }
            currentProduct = Int(result.plan.positions[nodeRows[node.selected]].product)
            product = TableState()
            go(to: .product, remember: true)
        case .product:
            let rows = ProductView.rows(state: self)
            guard rows.indices.contains(product.selected) else { return }
            openNode(rows[product.selected].node)
        case .violations:
            let rows = ViolationsView.rows(state: self)
            guard rows.indices.contains(violations.selected) else { return }
            let violation = rows[violations.selected]
            if violation.kind == .service {
                go(to: .convergence, remember: true)
            } else {
                openNode(violation.index)
            }
        case .convergence, .whatIf:
            break
        }
    }

    mutating func openNode(_ n: Int) {
        if n != currentNode { node.selected = 0; node.scroll = 0 }
        currentNode = n
        go(to: .node, remember: true)
    }

    /// The node the selection points at on the current screen.
    func selectedNode() -> Int? {
        switch screen {
        case .network:
            let rows = NetworkView.rows(state: self)
            return rows.indices.contains(network.selected) ? rows[network.selected] : nil
        case .node: return currentNode
        case .product:
            let rows = ProductView.rows(state: self)
            return rows.indices.contains(product.selected) ? rows[product.selected].node : nil
        case .violations:
            let rows = ViolationsView.rows(state: self)
            guard rows.indices.contains(violations.selected), rows[violations.selected].kind != .service else { return nil }
            return rows[violations.selected].index
        case .convergence, .whatIf: return whatIf.node
        }
    }

    // MARK: tables

    func isTable(_ screen: Screen) -> Bool { Keymap.tables.contains(screen) }

    var pageSize: Int { max(1, Layout.table(screen, width: width, height: height).count - 1) }

    public func tableState(_ screen: Screen) -> TableState {
        switch screen {
        case .network: return network
        case .node: return node
        case .product: return product
        case .violations: return violations
        case .convergence, .whatIf: return TableState()
        }
    }

    mutating func modifyTable(_ screen: Screen, _ change: (inout TableState) -> Void) {
        switch screen {
        case .network: change(&network)
        case .node: change(&node)
        case .product: change(&product)
        case .violations: change(&violations)
        case .convergence, .whatIf: break
        }
    }

    public func rowCount(_ screen: Screen) -> Int {
        switch screen {
        case .network: return NetworkView.rows(state: self).count
        case .node: return nodeRowsAreCurrent ? nodeRows.count : NodeView.rows(state: self).count
        case .product: return ProductView.rows(state: self).count
        case .violations: return ViolationsView.rows(state: self).count
        case .convergence, .whatIf: return 0
        }
    }

    func columnCount(_ screen: Screen) -> Int {
        switch screen {
        case .network: return NetworkView.sortKeys.count
        case .node: return NodeView.sortKeys.count
        case .product: return ProductView.sortKeys.count
        case .violations: return ViolationsView.sortKeys.count
        case .convergence, .whatIf: return 1
        }
    }

    /// Text columns sort A→Z first; numbers largest first.
    func defaultAscending(_ screen: Screen, column: Int) -> Bool {
        switch screen {
        case .network: return column <= 1
        case .node: return column == 0 || column == 5
        case .product: return column == 0
        case .violations: return column >= 2
        case .convergence, .whatIf: return true
        }
    }

    mutating func move(by delta: Int) {
        if screen == .whatIf {
            let count = whatIf.fields.count
            whatIf.focus = min(count - 1, max(0, whatIf.focus + (delta > 0 ? 1 : -1)))
            whatIf.freshField = true
            return
        }
        guard isTable(screen) else { return }
        if screen == .node { refreshNodeRows() }
        let count = rowCount(screen)
        let page = Layout.table(screen, width: width, height: height).count
        modifyTable(screen) { table in
            let target = delta > 0 ? table.selected.addingReportingOverflow(delta).partialValue : table.selected + delta
            table.selected = min(max(0, count - 1), max(0, target))
            Self.keepVisible(&table, page: page)
        }
    }

    static func keepVisible(_ table: inout TableState, page: Int) {
        if table.selected < table.scroll { table.scroll = table.selected }
        if table.selected >= table.scroll + page { table.scroll = table.selected - page + 1 }
        table.scroll = max(0, table.scroll)
    }

    mutating func clampAllTables() {
        // The node table is clamped when it is next computed (it may be large and off screen).
        if screen == .node { refreshNodeRows() }
        for s in [Screen.network, .product, .violations] + (screen == .node ? [.node] : []) {
            let count = rowCount(s)
            let page = Layout.table(s, width: width, height: height).count
            modifyTable(s) { table in
                table.selected = min(table.selected, max(0, count - 1))
                Self.keepVisible(&table, page: page)
            }
        }
    }

    // MARK: mouse

    mutating func handle(_ mouse: MouseEvent) -> [Effect] {
        if overlay != .none {
            overlay = .none
            return []
        }
        switch mouse.kind {
        case .wheelUp: move(by: -3)
        case .wheelDown: move(by: 3)
        case .press:
            if mouse.y == Layout.tabRow {
                for tab in Layout.tabs(width: width) where mouse.x >= tab.x && mouse.x < tab.x + DisplayWidth.of(tab.label) {
                    go(to: tab.screen, remember: true)
                }
                return []
            }
            guard isTable(screen) else { return [] }
            let area = Layout.table(screen, width: width, height: height)
            guard mouse.y >= area.first, mouse.y < area.first + area.count else { return [] }
            let row = tableState(screen).scroll + mouse.y - area.first
            guard row < rowCount(screen) else { return [] }
            if row == tableState(screen).selected {
                drillIn()
            } else {
                modifyTable(screen) { $0.selected = row }
            }
        }
        return []
    }

    // MARK: session

    mutating func handle(_ event: SessionEvent) {
        switch event {
        case .started(let generation):
            beginTrack(generation)
        case .progress(let generation, let snapshot):
            if solve?.generation != generation { beginTrack(generation) }
            solve?.history.append(snapshot)
        case .finished(let generation, let finished):
            if solve?.generation != generation { beginTrack(generation) }
            solve?.phase = .finished(finished.stopReason)
            solve?.result = finished
            if !finished.history.isEmpty { solve?.history = finished.history }
            result = finished
            if let base = diffBase, diffBaseGeneration != generation {
                diff = PlanDiff(before: base, after: finished, generation: generation, nodeCount: scenario.nodes.count)
            }
            planIndex = PlanIndex(plan: finished.plan, nodeCount: scenario.nodes.count, productCount: scenario.products.count)
            nodeRowsKey = nil
            clampAllTables()
            if let shown = solveMessage, message == shown.running { message = shown.finished }
            solveMessage = nil
        case .failed(let generation, let text):
            if solve?.generation != generation { beginTrack(generation) }
            solve?.phase = .failed(text)
            solveMessage = nil
            message = "Solve failed: \(text)"
            messageIsError = true
        }
    }

    mutating func beginTrack(_ generation: Int) {
        if let current = solve, current.result != nil { previousSolve = current }
        solve = SolveTrack(generation: generation)
        solve?.startedAt = clock
    }
}
