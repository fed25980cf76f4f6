import EchelonCore
import EchelonModel

/// Draws the whole dashboard for a state. Pure: same state, same cells.
public enum DashboardView {
    public static func render(_ state: DashboardState) -> ScreenBuffer {
        var buffer = ScreenBuffer(width: state.width, height: state.height)
        if state.width < Layout.minimumWidth || state.height < Layout.minimumHeight {
            drawTooSmall(state, into: &buffer)
            return buffer
        }
        drawTabs(state, into: &buffer)
        drawStatus(state, into: &buffer)
        switch state.screen {
        case .network: NetworkView.draw(state, into: &buffer)
        case .node: NodeView.draw(state, into: &buffer)
        case .product: ProductView.draw(state, into: &buffer)
        case .convergence: ConvergenceView.draw(state, into: &buffer)
        case .violations: ViolationsView.draw(state, into: &buffer)
        case .whatIf: WhatIfView.draw(state, into: &buffer)
        }
        drawFooter(state, into: &buffer)
        switch state.overlay {
        case .none: break
        case .help: drawHelp(state, into: &buffer)
        case .confirmQuit: drawConfirmQuit(state, into: &buffer)
        }
        return buffer
    }

    static func drawTooSmall(_ state: DashboardState, into buffer: inout ScreenBuffer) {
        let lines = [
            "Terminal too small",
            "\(state.width)×\(state.height), need \(Layout.minimumWidth)×\(Layout.minimumHeight)",
            "Enlarge the window, or q to quit",
        ]
        let top = max(0, state.height / 2 - 1)
        for (i, line) in lines.enumerated() {
            let x = max(0, (state.width - DisplayWidth.of(line)) / 2)
            buffer.put(line, x: x, y: top + i, role: i == 0 ? .bad : .normal)
        }
    }

    static func drawTabs(_ state: DashboardState, into buffer: inout ScreenBuffer) {
        buffer.fill(x: 0, y: Layout.tabRow, width: state.width, height: 1, role: .title)
        buffer.put(" Echelon ", x: 0, y: Layout.tabRow, role: .title)
        for tab in Layout.tabs(width: state.width) {
            let disabled = state.readOnly && tab.screen == .whatIf
            let current = tab.screen == state.screen
            let label = current ? "[\(tab.label.dropFirst().dropLast())]" : tab.label
            buffer.put(label, x: tab.x, y: Layout.tabRow, role: current ? .selection : (disabled ? .dim : .title))
        }
    }

    /// Scenario, solve state and the last message.
    static func drawStatus(_ state: DashboardState, into buffer: inout ScreenBuffer) {
        let y = Layout.statusRow
        buffer.fill(x: 0, y: y, width: state.width, height: 1, role: .statusBar)
        let scenario = state.scenario
        var left = " \(scenario.name) · \(scenario.nodes.count) nodes · \(scenario.products.count) products · "
        var solveRole: StyleRole = .statusBar
        if let track = state.solve {
            switch track.phase {
            case .running:
                let waited = max(0, Int(state.clock - track.startedAt))
                let it = track.latest.map { "it \($0.iteration), gap \($0.gap.isFinite ? Format.percent($0.gap, digits: 2) : "–")" }
                    ?? "starting" + String(state.glyphs.ellipsis) + (waited > 0 ? " \(waited) s" : "")
                left += "solving #\(track.generation) \(it)"
                solveRole = .warning
            case .finished(let reason):
                let gap = track.result.map { Format.percent($0.gap, digits: 2) } ?? "–"
                left += "solved #\(track.generation) (gap \(gap), \(track.result?.iterations ?? 0) it, \(reason.rawValue))"
                solveRole = .good
            case .failed:
                left += "solve #\(track.generation) failed"
                solveRole = .bad
            case .idle:
                left += "idle"
            }
        } else {
            left += "not solved"
        }
        let written = buffer.put(left, x: 0, y: y, role: .statusBar)
        // The solve-state part gets its own role; the text already says it, colour only repeats it.
        let prefix = DisplayWidth.of(" \(scenario.name) · \(scenario.nodes.count) nodes · \(scenario.products.count) products · ")
        buffer.restyle(x: prefix, y: y, width: written - prefix, role: solveRole)
        let badge = state.readOnly ? " READ-ONLY " : ""
        if state.readOnly { buffer.put(badge, x: state.width - DisplayWidth.of(badge), y: y, role: .warning) }
        if let message = state.message {
            let x = written + 2
            buffer.put(message, x: x, y: y, role: state.messageIsError ? .bad : .accent, maxWidth: state.width - x - DisplayWidth.of(badge))
        }
    }

    static func drawFooter(_ state: DashboardState, into buffer: inout ScreenBuffer) {
        let y = state.height - 1
        buffer.fill(x: 0, y: y, width: state.width, height: 1, role: .statusBar)
        if let prompt = state.filterPrompt {
            let text = " Filter \(prompt.title.lowercased()): /\(state.tableState(prompt).filter)_   Enter keep · Esc clear"
            buffer.put(text, x: 0, y: y, role: .input)
            return
        }
        var x = 1
        for binding in Keymap.footer(for: state.screen, readOnly: state.readOnly) {
            let key = binding.keys[0].label
            let need = DisplayWidth.of(key) + DisplayWidth.of(binding.label) + 3
            if x + need > state.width - 1 { break }
            x += buffer.put(key, x: x, y: y, role: .statusKey)
            x += buffer.put(" " + binding.label + "  ", x: x, y: y, role: .statusBar)
        }
        let tableStateText: String
        let table = state.tableState(state.screen)
        if Keymap.tables.contains(state.screen), !table.filter.isEmpty {
            tableStateText = "filter /\(table.filter) "
            buffer.put(tableStateText, x: state.width - DisplayWidth.of(tableStateText) - 1, y: y, role: .input)
        }
    }

    /// The help overlay, generated from the keymap.
    static func drawHelp(_ state: DashboardState, into buffer: inout ScreenBuffer) {
        let glyphs = state.glyphs
        let bindings = Keymap.bindings
        let width = min(state.width - 2, 84)
        let height = min(state.height - 2, bindings.count + 5)
        let x0 = (state.width - width) / 2
        let y0 = (state.height - height) / 2
        box(&buffer, x: x0, y: y0, width: width, height: height, glyphs: glyphs, title: " Keys (any key closes) · theme \(state.themeName) ")
        var y = y0 + 1
        let rows = height - 3
        let half = (bindings.count + 1) / 2
        let twoColumns = bindings.count > rows
        for (i, binding) in bindings.enumerated() {
            let column = twoColumns && i >= half ? 1 : 0
            let row = twoColumns && i >= half ? i - half : i
            guard row < rows else { continue }
            // Inner width is width − 4 (border and a space each side); the left column keeps a 1-space gap.
            let inner = width - 4
            let half = (inner + 1) / 2
            let cx = x0 + 2 + column * half
            let cw = twoColumns ? (column == 0 ? half - 1 : inner - half) : inner
            let disabled = state.readOnly && binding.changesPlan
            buffer.put(Format.pad(binding.keyLabel, 11, ellipsis: glyphs.ellipsis), x: cx, y: y + row, role: disabled ? .dim : .statusKey)
            // Disabled keys say so in words, not only in grey.
            buffer.put((disabled ? "off: " : "") + binding.help, x: cx + 12, y: y + row, role: disabled ? .dim : .overlay, maxWidth: cw - 12)
        }
        y = y0 + height - 2
        buffer.put("Screens: 1 Network · 2 Node · 3 Product · 4 Convergence · 5 Violations · 6 What-if", x: x0 + 2, y: y, role: .dim, maxWidth: width - 4)
    }

    static func drawConfirmQuit(_ state: DashboardState, into buffer: inout ScreenBuffer) {
        let width = 46
        let x0 = (state.width - width) / 2
        let y0 = state.height / 2 - 2
        box(&buffer, x: x0, y: y0, width: width, height: 4, glyphs: state.glyphs, title: " Quit? ")
        buffer.put("A solve is running. Quit anyway?", x: x0 + 2, y: y0 + 1, role: .overlay)
        buffer.put("y / q quit · any other key stays", x: x0 + 2, y: y0 + 2, role: .statusKey)
    }

    static func box(_ buffer: inout ScreenBuffer, x: Int, y: Int, width: Int, height: Int, glyphs: Glyphs, title: String) {
        buffer.fill(x: x, y: y, width: width, height: height, role: .overlay)
        let h = String(repeating: String(glyphs.horizontal), count: max(0, width - 2))
        buffer.put(String(glyphs.topLeft) + h + String(glyphs.topRight), x: x, y: y, role: .border)
        buffer.put(String(glyphs.bottomLeft) + h + String(glyphs.bottomRight), x: x, y: y + height - 1, role: .border)
        for row in 1..<max(1, height - 1) {
            buffer.put(String(glyphs.vertical), x: x, y: y + row, role: .border)
            buffer.put(String(glyphs.vertical), x: x + width - 1, y: y + row, role: .border)
        }
        buffer.put(title, x: x + 2, y: y, role: .title)
    }
}
