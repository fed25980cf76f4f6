import Testing
@testable import EchelonCLI

@Test func everySubcommandIsRegistered() {
    let names = Echelon.configuration.subcommands.compactMap { $0.configuration.commandName }
    #expect(Set(names) == ["dashboard", "validate", "solve", "simulate", "baseline", "compare", "generate", "bench"])
}
