import ArgumentParser

struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Not built yet."
    )

    func run() throws {
        throw ValidationError("'echelon dashboard' is not built yet.")
    }
}
