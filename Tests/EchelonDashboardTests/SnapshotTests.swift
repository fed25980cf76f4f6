import EchelonCore
import EchelonModel
import SnapshotTesting
import Testing
@testable import EchelonDashboard

extension Snapshotting where Value == ScreenBuffer, Format == String {
    /// The buffer's characters as lines; a failure prints a line diff.
    static var screenText: Snapshotting { Snapshotting<String, String>.lines.pullback { $0.text } }
    /// One letter per cell naming its style role.
    static var styleMask: Snapshotting { Snapshotting<String, String>.lines.pullback { $0.styleMask } }
}

/// The state after a what-if (FC-NYC storage cut to 450 ft³) and its warm re-solve (still running unless `finish`).
func whatIfState(width: Int, height: Int, finish: Bool = true) -> DashboardState {
    var state = solvedState(width: width, height: height, products: 120)
    let nyc = state.scenario.nodes.firstIndex { $0.id == "FC-NYC" }!
    while NetworkView.rows(state: state)[state.network.selected] != nyc { _ = press(&state, .down) }
    _ = press(&state, .character("w"))
    type(&state, "200")
    _ = press(&state, .enter)
    for effect in press(&state, .character("r")) {
        if case .apply(let changes) = effect {
            state.update(.scenarioChanged(try! WhatIfApplier.apply(changes, to: state.scenario)))
        }
    }
    feedSolve(&state, generation: 2, warm: true, finish: finish)
    return state
}

@Suite struct ScreenSnapshotTests {
    static let sizes = [(80, 24), (120, 40), (200, 60)]

    func screenState(_ screen: Screen, width: Int, height: Int) -> DashboardState {
        if screen == .whatIf { return whatIfState(width: width, height: height) }
        var state = solvedState(width: width, height: height, products: 120)
        switch screen {
        case .network: break
        case .node: _ = press(&state, .enter)
        case .product: _ = press(&state, .down, .down, .enter, .down, .enter)
        case .convergence:
            // A warm re-solve half way, set against the first solve.
            feedSolve(&state, generation: 2, warm: true, finish: false)
            _ = press(&state, .character("4"))
        case .violations: _ = press(&state, .character("5"))
        case .whatIf: break
        }
        return state
    }

    @Test(arguments: Screen.allCases)
    func screenAtEverySize(_ screen: Screen) {
        for (w, h) in Self.sizes {
            let state = screenState(screen, width: w, height: h)
            assertSnapshot(of: DashboardView.render(state), as: .screenText, named: "\(screen.title.lowercased())-\(w)x\(h)")
        }
    }

    @Test func helpOverlayListsTheKeymap() {
        var state = solvedState(width: 120, height: 40)
        _ = press(&state, .character("?"))
        let buffer = DashboardView.render(state)
        for binding in Keymap.bindings { #expect(buffer.text.contains(binding.help), "\(binding.help)") }
        assertSnapshot(of: buffer, as: .screenText, named: "help-120x40")
        var small = solvedState(width: 80, height: 24, readOnly: true)
        _ = press(&small, .character("?"))
        assertSnapshot(of: DashboardView.render(small), as: .screenText, named: "help-read-only-80x24")
    }

    @Test func tooSmallScreen() {
        let state = solvedState(width: 60, height: 20)
        let buffer = DashboardView.render(state)
        #expect(buffer.text.contains("Terminal too small"))
        #expect(buffer.text.contains("60×20, need 80×24"))
        assertSnapshot(of: buffer, as: .screenText, named: "too-small-60x20")
    }

    @Test func asciiGlyphsOnly() {
        var state = solvedState(width: 80, height: 24, products: 120, glyphs: .ascii)
        let network = DashboardView.render(state)
        _ = press(&state, .character("4"))
        let convergence = DashboardView.render(state)
        for buffer in [network, convergence] {
            // No box drawing, blocks, braille or geometric shapes (U+2500–U+28FF); Latin-1 and Greek letters are fine.
            let fancy = buffer.cells.filter { (0x2500...0x28FF).contains($0.scalar.value) }.map(\.scalar)
            #expect(fancy.isEmpty, "\(Set(fancy))")
        }
        assertSnapshot(of: network, as: .screenText, named: "network-ascii-80x24")
        assertSnapshot(of: convergence, as: .screenText, named: "convergence-ascii-80x24")
    }

    @Test func stylesOfTheNetworkScreen() {
        let state = solvedState(width: 80, height: 24, products: 120)
        assertSnapshot(of: DashboardView.render(state), as: .styleMask, named: "network-styles-80x24")
    }

    @Test func confirmQuitWhileSolving() {
        var state = solvedState(width: 80, height: 24)
        feedSolve(&state, generation: 2, warm: true, finish: false)
        _ = press(&state, .character("q"))
        assertSnapshot(of: DashboardView.render(state), as: .screenText, named: "confirm-quit-80x24")
    }

    @Test func filterPromptInTheFooter() {
        var state = solvedState(width: 80, height: 24, products: 120)
        _ = press(&state, .enter, .character("/"))
        type(&state, "SKU-000")
        let buffer = DashboardView.render(state)
        #expect(buffer.line(23).contains("Filter node: /SKU-000_"))
        assertSnapshot(of: buffer, as: .screenText, named: "node-filter-80x24")
    }
}

@Suite struct ViewContentTests {
    /// While a what-if re-solves, the diff line points to the live convergence screen with keys that get
    /// there from the what-if screen, where digits type into the form (it said "screen 4", and 4 typed a 4
    /// into the storage field: seen in tmux).
    @Test func theReSolveHintNamesKeysThatWorkOnTheWhatIfScreen() {
        var state = whatIfState(width: 120, height: 40, finish: false)
        let text = DashboardView.render(state).text
        let hint = text.split(separator: "\n").first { $0.contains("re-solving warm") }
        #expect(hint?.contains("Shift-Tab twice") == true, "\(hint ?? "no hint")")
        let storage = state.whatIf.numbers[0]
        _ = press(&state, .backTab, .backTab)
        #expect(state.screen == .convergence)
        #expect(state.whatIf.numbers[0] == storage)
    }

    /// A target no plan can meet (a closed building left some orders with no node that keeps the promise)
    /// is listed under target, and its panel says how far any plan can go and what to do about it.
    @Test func anUnreachableTargetSaysHowFarAnyPlanCanGo() throws {
        var state = solvedState(width: 140, height: 40)
        state.scenario.speeds[0].targetFillRate = 0.85
        state.result!.speeds[0] = SpeedService(price: 0, plannedFillRate: 0.62, reachableFillRate: 0.7213)
        _ = press(&state, .character("5"))
        let rows = ViolationsView.rows(state: state)
        let row = try #require(rows.firstIndex { $0.kind == .service && $0.index == 0 })
        #expect(rows[row].reachable == 0.7213)
        for _ in 0..<row { _ = press(&state, .down) }
        let text = DashboardView.render(state).text
        #expect(text.contains("No plan can meet this target: at most 72.13% of its orders"), "\(text)")
        // A reachable target that is missed says nothing of the kind.
        state.result!.speeds[0].reachableFillRate = 0.9
        #expect(ViolationsView.rows(state: state)[row].reachable == nil)
        #expect(!DashboardView.render(state).text.contains("No plan can meet"))
        #expect(!DashboardView.render(state).text.contains("No plan met every target"))
        // One left out so that the plan keeps every capacity says so.
        state.result!.speeds[0].targetLeftOut = true
        #expect(ViolationsView.rows(state: state)[row].leftOutForCapacities)
        #expect(DashboardView.render(state).text.contains("No plan met every target within the capacities: this one was left out"))
    }

    @Test func whatIfDiffShowsTheCutNodesPriceRising() {
        let state = whatIfState(width: 120, height: 40)
        let text = DashboardView.render(state).text
        let nycLine = text.split(separator: "\n").first { $0.contains("FC-NYC") && $0.contains("→") }
        #expect(nycLine != nil)
        let before = state.diffBase!.nodes[2].storagePrice
        let after = state.result!.nodes[2].storagePrice
        #expect(after > before)
        #expect(nycLine!.contains(Format.price(before) + "→" + Format.price(after) + " ▲"))
    }

    @Test func overCapacityIsMarkedByTextNotOnlyColour() {
        let state = solvedState(width: 120, height: 40, products: 120)
        let buffer = DashboardView.render(state)
        let overNodes = state.scenario.nodes.indices.filter { NetworkView.isOver(state.result!.nodes[$0], state.scenario.nodes[$0]) }
        #expect(!overNodes.isEmpty)
        for n in overNodes {
            let id = state.scenario.nodes[n].id
            #expect(buffer.text.split(separator: "\n").contains { $0.contains(id) && $0.contains("▲OVER") }, "\(id)")
        }
    }

    @Test func productFillBySpeedMatchesIndependentMisses() {
        var state = solvedState(products: 40)
        state.currentProduct = 0
        let fills = ProductView.fillBySpeed(state: state)
        // Brute force over the product's streams.
        let scenario = state.scenario
        let positions = state.result!.plan.positions.filter { $0.product == 0 && $0.baseStock > 0 }
        for speed in scenario.speeds.indices {
            var demand = 0.0, served = 0.0
            for share in scenario.demandShares(of: 0) where Int(share.speed) == speed {
                let d = scenario.products[0].demandMean * share.share
                var miss = 1.0
                for o in scenario.options where o.region == Int(share.region) && o.speed == speed {
                    miss *= 1 - (positions.first { Int($0.node) == o.node }?.fillRate ?? 0)
                }
                demand += d
                served += d * (1 - miss)
            }
            #expect(abs(fills[speed].fill - served / demand) < 1e-12)
        }
    }

    @Test func chartPlotsTheBoundBelowThePrimal() {
        var state = solvedState(width: 120, height: 40)
        _ = press(&state, .character("4"))
        let buffer = DashboardView.render(state)
        // In every chart column, bound dots sit no higher than primal dots (the bound is a lower bound).
        for x in 32..<(120 - 10) {
            let primalRows = (3..<25).filter { buffer[x, $0].role == .chartPrimal }
            let boundRows = (3..<25).filter { buffer[x, $0].role == .chartBound }
            if let p = primalRows.max(), let b = boundRows.min() { #expect(b >= p - 1, "column \(x)") }
        }
    }

    @Test func bufferPutsWideCharactersInTwoCells() {
        var buffer = ScreenBuffer(width: 10, height: 1)
        let written = buffer.put("倉庫ab", x: 0, y: 0)
        #expect(written == 6)
        #expect(buffer[0, 0].scalar == "倉" && buffer[1, 0].isContinuation && buffer[2, 0].scalar == "庫" && buffer[4, 0].scalar == "a")
        #expect(buffer.text == "倉庫ab")
        #expect(buffer.put("東京東京東京", x: 0, y: 0, maxWidth: 5) == 4, "a wide character never straddles the edge")
    }

    @Test func barsUseEighths() {
        #expect(Bar.text(fraction: 0.5, width: 4, glyphs: .unicode) == "██  ")
        #expect(Bar.text(fraction: 1.0 / 16, width: 2, glyphs: .unicode) == "▏ ")
        #expect(Bar.text(fraction: 3, width: 3, glyphs: .unicode) == "███")
        #expect(Bar.cell(used: 120, limit: 100, width: 10, glyphs: .unicode).role == .barOver)
        #expect(Bar.cell(used: 50, limit: 100, width: 10, glyphs: .unicode).text.hasSuffix("  50%"))
    }
}

@Suite struct DerivedDataTests {
    @Test func planIndexGroupsEveryPositionOnce() {
        let state = solvedState(products: 60)
        let plan = state.result!.plan
        let index = state.planIndex!
        for n in state.scenario.nodes.indices {
            #expect(index.byNode[n] == plan.positions.indices.filter { Int(plan.positions[$0].node) == n })
        }
        for p in state.scenario.products.indices {
            #expect(Array(index.byProduct[p]) == plan.positions.indices.filter { Int(plan.positions[$0].product) == p })
        }
    }

    @Test func laneFlowsMatchTheReceivingNodes() {
        var state = solvedState(products: 120)
        let scenario = state.scenario
        let east = scenario.nodes.firstIndex { $0.id == "DC-EAST" }!
        state.currentNode = east
        let flows = NodeView.laneFlows(state, node: east)
        let usage = state.result!.nodes
        for l in state.index.outboundLanes[east] {
            let d = scenario.lanes[l].destination
            #expect(flows[l] == usage[d].inboundUsed, "\(scenario.nodes[d].id)")
        }
        // The vendor lane carries the inbound of the products bought from that vendor.
        let vendorLane = state.index.inboundLanes[east].first { if case .vendor = scenario.lanes[$0].source { return true } else { return false } }!
        guard case .vendor(let v) = scenario.lanes[vendorLane].source else { return }
        let plan = state.result!.plan
        let expected = plan.positions.filter { Int($0.node) == east && scenario.productVendors[Int(plan.vendorChoice[Int($0.product)])].vendor == v }
            .reduce(0) { $0 + $1.inboundPerDay }
        #expect(abs(flows[vendorLane]! - expected) < 1e-9)
    }
}
