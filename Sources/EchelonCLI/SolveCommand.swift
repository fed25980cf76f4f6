import ArgumentParser

struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Not built yet."
    )

    func run() throws {
        throw ValidationError("'echelon solve' is not built yet.")
    }
}
