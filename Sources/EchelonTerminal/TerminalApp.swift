import CNcursesW
import EchelonCore
import EchelonDashboard
import EchelonModel
import Foundation

/// Runs the dashboard in the terminal: loop shape A from the TUI notes. The main dispatch queue owns
/// ncurses; stdin, SIGWINCH and the exit signals are dispatch sources on it; the session posts events
/// from its own threads into an inbox that is drained at most `frameRate` times a second, so a fast
/// solver costs one redraw per frame, not one per iteration. Nothing polls: idle means no wake-ups.
@MainActor
public final class TerminalApp {
    public typealias PlanSaver = @Sendable (SolveResult, Scenario) throws -> String

    private var state: DashboardState
    private let session: PlanningSession
    private let screen = TerminalScreen()
    private let options: TerminalOptions
    private let limits: SolveLimits
    private let savePlan: PlanSaver
    private let inbox = SessionInbox()
    private var sources: [DispatchSourceProtocol] = []
    private var redrawScheduled = false
    private var tickScheduled = false
    private let frameInterval: Double
    /// Frame timings (render + blit), for `--stats`.
    private var frameSeconds: [Double] = []
    private let statsPath: String?

    public init(
        state: DashboardState, session: PlanningSession, options: TerminalOptions, limits: SolveLimits = SolveLimits(),
        frameRate: Double = 15, statsPath: String? = nil, savePlan: @escaping PlanSaver
    ) {
        self.state = state
        self.session = session
        self.options = options
        self.limits = limits
        self.savePlan = savePlan
        self.frameInterval = 1 / max(1, frameRate)
        self.statsPath = statsPath
    }

    /// Takes over the terminal and never returns; exits the process when the user quits.
    public func run(solveOnStart: Bool = true) -> Never {
        TerminalApp.installCrashRestore()
        screen.start(options: options)
        state.update(.resize(width: screen.width, height: screen.height))
        state.update(.tick(TerminalApp.now()))
        let inbox = self.inbox
        let interval = frameInterval
        session.setEventHandler { event in
            // Session threads: queue the event; the first one of a frame schedules the drain.
            if inbox.post(event) {
                DispatchQueue.main.asyncAfter(deadline: .now() + interval) {
                    MainActor.assumeIsolated { TerminalApp.current?.drainSession() }
                }
            }
        }
        TerminalApp.current = self

        let input = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: .main)
        input.setEventHandler { MainActor.assumeIsolated { TerminalApp.current?.drainInput() } }
        sources.append(input)
        signal(SIGWINCH, SIG_IGN)
        let winch = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .main)
        winch.setEventHandler { MainActor.assumeIsolated { TerminalApp.current?.resized() } }
        sources.append(winch)
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGQUIT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .main)
            let code = 128 + sig
            source.setEventHandler { MainActor.assumeIsolated { TerminalApp.current?.terminate(code: code) } }
            sources.append(source)
        }
        for source in sources { source.resume() }

        // The opening solve runs even read-only: it is what fills the screens with prices and use.
        if solveOnStart { session.solve(limits: limits) }
        draw()
        dispatchMain()
    }

    static var current: TerminalApp?

    private func drainInput() {
        var effects: [Effect] = []
        var sawInput = false
        while true {
            switch screen.read() {
            case .none:
                if sawInput { run(effects) } else { checkStdinClosed() }
                requestRedraw()
                return
            case .key(let key):
                effects += state.update(.key(key))
            case .mouse(let mouse):
                effects += state.update(.mouse(mouse))
            case .resize:
                // ncurses already resized (our SIGWINCH handler's resizeterm queued this KEY_RESIZE);
                // calling resizeterm again would queue another one, forever.
                screen.refreshSize()
                effects += state.update(.resize(width: screen.width, height: screen.height))
            }
            sawInput = true
        }
    }

    /// stdin readable but nothing to read means the terminal went away (EOF): leave cleanly.
    private func checkStdinClosed() {
        var probe = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        if poll(&probe, 1, 0) == 1, probe.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { exit(code: 1) }
    }

    private func resized() {
        screen.resize()
        state.update(.resize(width: screen.width, height: screen.height))
        draw()
    }

    private func drainSession() {
        state.update(.tick(TerminalApp.now()))
        let events = inbox.take()
        for event in events { state.update(.session(event)) }
        if !events.isEmpty { draw() }
    }

    private func run(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case .quit:
                exit(code: 0)
            case .startSolve:
                state.update(.tick(TerminalApp.now()))
                session.solve(limits: limits)
            case .cancelSolve:
                session.cancel()
            case .apply(let changes):
                do {
                    try session.apply(changes)
                    state.update(.scenarioChanged(session.scenario))
                } catch {
                    state.update(.message("What-if rejected: \(error)", isError: true))
                }
            case .undo:
                do {
                    try session.undo()
                    state.update(.scenarioChanged(session.scenario))
                } catch {
                    state.update(.message("Undo failed: \(error)", isError: true))
                }
            case .savePlan:
                guard let result = state.result else { continue }
                do {
                    let path = try savePlan(result, state.scenario)
                    state.update(.message("Plan saved to \(path)", isError: false))
                } catch {
                    state.update(.message("Save failed: \(error)", isError: true))
                }
            }
        }
    }

    private func requestRedraw() {
        guard !redrawScheduled else { return }
        redrawScheduled = true
        DispatchQueue.main.async { MainActor.assumeIsolated { TerminalApp.current?.draw() } }
    }

    /// Seconds on the monotonic clock.
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// While a solve runs, one tick a second keeps its elapsed time moving; none when idle.
    private func scheduleTickIfSolving() {
        guard state.isSolving, !tickScheduled else { return }
        tickScheduled = true
        DispatchQueue.main.asyncAfter(deadline: .now() + 1) {
            MainActor.assumeIsolated {
                guard let app = TerminalApp.current else { return }
                app.tickScheduled = false
                app.state.update(.tick(TerminalApp.now()))
                app.draw()
            }
        }
    }

    private func draw() {
        scheduleTickIfSolving()
        redrawScheduled = false
        let start = DispatchTime.now().uptimeNanoseconds
        state.prepareForRender()
        screen.draw(DashboardView.render(state))
        if statsPath != nil {
            frameSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
    }

    private func terminate(code: Int32) { exit(code: code) }

    private func exit(code: Int32) -> Never {
        session.cancel()
        screen.stop()
        if let statsPath, !frameSeconds.isEmpty {
            let sorted = frameSeconds.sorted()
            let text = "frames \(sorted.count) median_ms \(sorted[sorted.count / 2] * 1000) p95_ms \(sorted[sorted.count * 95 / 100] * 1000) max_ms \(sorted.last! * 1000)\n"
            _ = FileManager.default.createFile(atPath: statsPath, contents: Data(text.utf8))
        }
        fflush(nil)
        Foundation.exit(code)
    }

    /// On a crash, give the terminal back before dying (best effort: endwin is not async-signal-safe,
    /// but a user left in raw mode on the alternate screen is worse).
    private static func installCrashRestore() {
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            signal(sig) { received in
                endwin()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }
}

/// Session events waiting for the next frame. Filled from the session's threads, drained on main.
final class SessionInbox: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var events: [SessionEvent] = []
    private var scheduled = false

    /// Queues an event; true when the caller must schedule a drain (the first event since the last one).
    func post(_ event: SessionEvent) -> Bool {
        lock.withLock {
            events.append(event)
            if scheduled { return false }
            scheduled = true
            return true
        }
    }

    func take() -> [SessionEvent] {
        lock.withLock {
            scheduled = false
            defer { events.removeAll() }
            return events
        }
    }
}
