import ArgumentParser

/// The `echelon` command and its subcommands, each in its own file. Synchronous (`ParsableCommand`):
/// the dashboard owns the main thread and the solver runs on its own threads.
public struct Echelon: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "echelon",
        abstract: "Multi-echelon inventory planning for a fulfilment network, with a terminal dashboard.",
        discussion: """
            With no subcommand, opens the dashboard on the bundled sample network.
            """,
        subcommands: [
            DashboardCommand.self, ValidateCommand.self, SolveCommand.self, SimulateCommand.self,
            BaselineCommand.self, CompareCommand.self, GenerateCommand.self, BenchCommand.self,
        ],
        defaultSubcommand: DashboardCommand.self
    )

    public init() {}
}
