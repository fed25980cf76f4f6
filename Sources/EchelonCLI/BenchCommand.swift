import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Not built yet."
    )

    func run() throws {
        throw ValidationError("'echelon bench' is not built yet.")
    }
}
