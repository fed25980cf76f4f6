import ArgumentParser
import EchelonModel

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scenario folder and summarise it.",
        discussion: """
            Reads scenario.toml and every table, and reports each problem as `file:line: field: message` \
            on standard error (all of them, not only the first), exiting with status 1. On success it \
            prints a summary: nodes by kind, regions, products, speeds, total demand and capacity per echelon.
            See docs/scenario-format.md for the format.
            """
    )

    @OptionGroup var scenario: ScenarioArgument

    func run() throws {
        let loaded = try scenario.load()
        print(ScenarioSummary(loaded))
    }
}
