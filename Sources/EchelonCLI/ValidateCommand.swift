import ArgumentParser

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Not built yet."
    )

    func run() throws {
        throw ValidationError("'echelon validate' is not built yet.")
    }
}
