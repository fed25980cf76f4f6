import ArgumentParser
import EchelonModel

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic scenario of any size on the bundled network's shape.",
        discussion: """
            The network (nodes, regions, speeds, vendors, lanes) is the bundled US and Canada sample's; \
            products are synthesised in believable categories with a long tail of demand, and capacities \
            are set from the products so that a few buildings are tight. The same --products and --seed \
            always give the same files. The bundled sample is `--products 2500 --seed 20261125`.
            Refuses to write into a non-empty folder that is not a scenario.
            """
    )

    @Option(name: .long, help: "Number of products (at least 1).")
    var products: Int

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = ScenarioGenerator.bundledSample.seed

    @Option(name: .long, help: ArgumentHelp("Folder to write the scenario into (created if missing).", valueName: "dir"))
    var out: String

    func validate() throws {
        guard products >= 1 else { throw ValidationError("--products must be at least 1.") }
        guard products <= 50_000_000 else { throw ValidationError("--products must be at most 50,000,000.") }
    }

    func run() throws {
        let start = ContinuousClock.now
        let scenario = ScenarioGenerator(products: products, seed: seed).makeScenario()
        let generated = ContinuousClock.now
        do {
            try ScenarioWriter.write(scenario, to: out)
        } catch let error as ScenarioWriteError {
            ScenarioLocation.printError("error: \(error.description)\n")
            throw ExitCode.failure
        }
        let written = ContinuousClock.now
        print(
            "Wrote \(out): \(scenario.products.count) products, \(scenario.nodes.count) nodes, \(scenario.regions.count) regions "
                + "(generated in \(Self.seconds(generated - start)), written in \(Self.seconds(written - generated))).")
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        return "\((value * 100).rounded() / 100) s"
    }
}
