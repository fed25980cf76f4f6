import ArgumentParser

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Not built yet."
    )

    func run() throws {
        throw ValidationError("'echelon baseline' is not built yet.")
    }
}
