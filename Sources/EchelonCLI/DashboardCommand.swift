import ArgumentParser
import EchelonCore
import EchelonDashboard
import EchelonModel
import EchelonTerminal
import Foundation

struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the terminal dashboard on a scenario (the default command).",
        discussion: """
            Starts a solve of the scenario at once and shows it live. Screens: 1 Network, 2 Node, 3 Product, \
            4 Convergence, 5 Violations, 6 What-if; ? lists every key. Themes are TOML files in themes/ \
            (dark, light, high-contrast, mono); NO_COLOR selects mono. See docs/dashboard.md.
            """
    )

    @OptionGroup var scenario: ScenarioArgument

    @Option(help: ArgumentHelp("Theme name (in themes/) or path to a theme file.", valueName: "name|path"))
    var theme: String = "dark"

    @Flag(help: "Leave the mouse to the terminal (text selection works; no clicks or wheel in the dashboard).")
    var noMouse = false

    @Flag(help: "Draw with ASCII only (no box drawing, blocks or braille).")
    var ascii = false

    @Flag(help: "On-call mode: browse only; re-solves and what-ifs are disabled (the opening solve still runs).")
    var readOnly = false

    @Flag(help: "Use the scripted stand-in solver instead of the planning core.")
    var fakeSolver = false

    @Flag(help: "Open a built-in demo network with the scripted solver (no scenario folder needed).")
    var demo = false

    @Option(help: ArgumentHelp("Products in the --demo network.", valueName: "count"))
    var demoProducts = 120

    @Option(help: "Relative gap at which solves stop.")
    var gap = 0.005

    @Option(help: "Iteration limit per solve.")
    var maxIterations = 200

    @Option(help: ArgumentHelp("Folder 'p' saves the plan into.", valueName: "dir"))
    var planDirectory: String?

    @Option(help: .hidden)
    var frameStats: String?

    func run() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw ValidationError("the dashboard needs a terminal on stdin and stdout (use 'echelon solve' in scripts)")
        }
        let loaded = demo ? DemoScenario.make(products: demoProducts) : try scenario.load()
        let chosenTheme: Theme
        do {
            chosenTheme = try Theme.resolve(theme, searchPaths: Theme.defaultSearchPaths())
        } catch let error as ThemeError {
            throw ValidationError("theme: \(error)")
        }
        let noColor = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let session: PlanningSession =
            demo || fakeSolver ? ScriptedSession(scenario: loaded, iterationDelay: 0.05) : SolverSession(scenario: loaded)
        let state = DashboardState(
            scenario: loaded, width: 80, height: 24, glyphs: ascii ? .ascii : .unicode, readOnly: readOnly,
            themeName: noColor ? "mono (NO_COLOR)" : chosenTheme.name)
        // A folder name from the scenario name: letters, digits, '-' and '_' only.
        let safeName = String(loaded.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        let directory = planDirectory ?? "echelon-plan-\(safeName)"
        let limits = SolveLimits(gap: gap, maxIterations: maxIterations)
        let options = TerminalOptions(theme: chosenTheme, mouse: !noMouse, noColor: noColor)
        MainActor.assumeIsolated {
            let app = TerminalApp(
                state: state, session: session, options: options, limits: limits, statsPath: frameStats
            ) { result, scenario in
                try SolveOutput.write(result, scenario: scenario, to: directory)
                return directory
            }
            app.run()
        }
    }
}
