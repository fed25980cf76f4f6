import EchelonCore
import Foundation

/// Screen 4: dual bound and best primal over the iterations, the gap on a log scale, against the solve before.
enum ConvergenceView {
    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer) {
        let glyphs = state.glyphs
        let top = Layout.bodyTop
        let bottom = state.height - 2
        guard let track = state.solve else {
            buffer.put("No solve yet.", x: 2, y: top + 1, role: .dim)
            return
        }
        let history = track.history
        let latest = history.last
        // Numbers, always printed next to the chart.
        var lines: [(String, String, StyleRole)] = []
        let phase: String
        switch track.phase {
        case .idle: phase = "idle"
        case .running: phase = "running"
        case .finished: phase = "done"
        case .failed: phase = "failed"
        }
        lines.append(("Solve", "#\(track.generation) \(phase)", track.phase == .running ? .warning : .good))
        if case .finished(let reason) = track.phase { lines.append(("Stopped by", reason.rawValue, .normal)) }
        lines.append(("Iteration", latest.map { String($0.iteration) } ?? "–", .normal))
        if let latest {
            let rate = latest.seconds > 0 ? Double(latest.iteration) / latest.seconds : 0
            lines.append(("Elapsed", Format.fixed(latest.seconds, 1) + " s", .normal))
            lines.append(("Iter/s", Format.fixed(rate, 1), .normal))
            lines.append(("Dual bound", Format.compact(latest.dualBound), .chartBound))
            lines.append(("Best primal", Format.compact(latest.bestPrimal), .chartPrimal))
            lines.append(("Gap", latest.gap.isFinite ? Format.percent(latest.gap, digits: 3) : "–", .accent))
            lines.append(("Step", Format.compact(latest.step), .normal))
            lines.append(("Worst viol.", Format.percent(latest.maxViolation, digits: 2), latest.maxViolation > 0.001 ? .warning : .good))
        }
        if let result = track.result {
            lines.append(("Certified", result.certified ? "yes" : "no", result.certified ? .good : .warning))
            lines.append(("Threads", String(result.threads), .normal))
        }
        if let previous = state.previousSolve, let last = previous.result ?? nil {
            lines.append(("", "", .normal))
            lines.append(("Previous", "#\(previous.generation)", .chartPrevious))
            lines.append(("  primal", Format.compact(last.costs.total), .chartPrevious))
            lines.append(("  bound", Format.compact(last.dualBound), .chartPrevious))
            lines.append(("  gap", Format.percent(last.gap, digits: 3), .chartPrevious))
            lines.append(("  iterations", String(last.iterations), .chartPrevious))
            if let latest, latest.bestPrimal.isFinite {
                let delta = latest.bestPrimal - last.costs.total
                lines.append(("  Δ primal", (delta >= 0 ? "+" : "") + Format.compact(delta), delta > 0 ? .warning : .good))
            }
        }
        for (i, line) in lines.enumerated() where top + 1 + i < bottom {
            buffer.put(Format.pad(line.0, 12), x: 1, y: top + 1 + i, role: .tableHeader)
            buffer.put(line.1, x: 14, y: top + 1 + i, role: line.2, maxWidth: 16)
        }

        let chartX = 32
        let chartWidth = state.width - chartX - 10
        guard chartWidth > 10 else { return }
        let totalRows = bottom - top - 1
        let valueRows = max(4, totalRows * 3 / 5 - 1)
        let gapTop = top + 1 + valueRows + 2
        let gapRows = max(3, bottom - gapTop)

        // Values chart.
        buffer.put("Dual bound " + (glyphs.braille ? "⣀" : "."), x: chartX, y: top, role: .chartBound)
        buffer.put("Best primal " + (glyphs.braille ? "⣀" : "*"), x: chartX + 14, y: top, role: .chartPrimal)
        buffer.put("(cost/day by iteration)", x: chartX + 29, y: top, role: .dim)
        // Scale to the later three quarters of the run: the first iterations' bounds can be far off
        // and would flatten everything after them (earlier points are clipped at the edge).
        let settled = history.count >= 8 ? Array(history.suffix(history.count * 3 / 4)) : history
        let bounds = settled.map(\.dualBound).filter(\.isFinite)
        let primals = settled.map(\.bestPrimal).filter(\.isFinite)
        let all = bounds + primals
        let maxIteration = max(1, (history.last?.iteration ?? 1), state.previousSolve?.history.last?.iteration ?? 1)
        if let low = all.min(), let high = all.max() {
            let span = max(high - low, abs(high) * 1e-6, 1e-9)
            var chart = Chart(width: chartWidth, height: valueRows, braille: glyphs.braille)
            func points(_ values: [(Int, Double)]) -> [(Double, Double)] {
                values.filter { $0.1.isFinite }.map { (Double($0.0) / Double(maxIteration), ($0.1 - low) / span) }
            }
            chart.plot(points(history.map { ($0.iteration, $0.dualBound) }), role: .chartBound)
            chart.plot(points(history.map { ($0.iteration, $0.bestPrimal) }), role: .chartPrimal)
            chart.draw(into: &buffer, x: chartX, y: top + 1, asciiMarks: [.chartBound: ".", .chartPrimal: "*"])
            buffer.put(Format.compact(high), x: chartX + chartWidth + 1, y: top + 1, role: .dim)
            buffer.put(Format.compact(low), x: chartX + chartWidth + 1, y: top + valueRows, role: .dim)
        } else {
            buffer.put("waiting for the first iteration" + String(glyphs.ellipsis), x: chartX, y: top + 2, role: .dim)
        }
        axis(&buffer, y: top + 1 + valueRows, x: chartX, width: chartWidth, maxIteration: maxIteration, glyphs: glyphs)

        // Gap chart on a log scale, current against previous.
        guard gapTop < bottom else { return }
        buffer.put("Gap, log scale " + (glyphs.braille ? "⣀" : "*"), x: chartX, y: gapTop - 1, role: .accent)
        if state.previousSolve != nil { buffer.put("previous solve " + (glyphs.braille ? "⣀" : "."), x: chartX + 18, y: gapTop - 1, role: .chartPrevious) }
        let gaps = history.map { ($0.iteration, $0.gap) }
        let previousGaps = state.previousSolve?.history.map { ($0.iteration, $0.gap) } ?? []
        let positive = (gaps + previousGaps).map(\.1).filter { $0.isFinite && $0 > 0 }
        if let gmin = positive.min(), let gmax = positive.max() {
            let lo = floor(log10(max(gmin, 1e-7)))
            let hi = max(lo + 1, ceil(log10(gmax)))
            var chart = Chart(width: chartWidth, height: gapRows, braille: glyphs.braille)
            func points(_ values: [(Int, Double)]) -> [(Double, Double)] {
                values.filter { $0.1.isFinite && $0.1 > 0 }.map { (Double($0.0) / Double(maxIteration), (log10($0.1) - lo) / (hi - lo)) }
            }
            chart.plot(points(previousGaps), role: .chartPrevious)
            chart.plot(points(gaps), role: .accent)
            chart.draw(into: &buffer, x: chartX, y: gapTop, asciiMarks: [.chartPrevious: ".", .accent: "*"])
            buffer.put(Format.percent(pow(10, hi), digits: 2), x: chartX + chartWidth + 1, y: gapTop, role: .dim)
            buffer.put(Format.percent(pow(10, lo), digits: 4), x: chartX + chartWidth + 1, y: gapTop + gapRows - 1, role: .dim)
        }
    }

    static func axis(_ buffer: inout ScreenBuffer, y: Int, x: Int, width: Int, maxIteration: Int, glyphs: Glyphs) {
        buffer.put(String(repeating: String(glyphs.horizontal), count: width), x: x, y: y, role: .border)
        buffer.put("0", x: x, y: y, role: .dim)
        let label = "iteration \(maxIteration)"
        buffer.put(label, x: x + width - DisplayWidth.of(label), y: y, role: .dim)
    }
}
