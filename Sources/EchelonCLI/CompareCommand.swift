import ArgumentParser

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Not built yet."
    )

    func run() throws {
        throw ValidationError("'echelon compare' is not built yet.")
    }
}
