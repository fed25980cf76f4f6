import ArgumentParser
import EchelonModel
import EchelonSimulation
import Foundation

/// Options shared by `simulate` and `compare`.
struct SimulationOptions: ParsableArguments {
    @Option(help: "Days measured, after the warm-up.")
    var days: Int = 365

    @Option(help: "Days played first and not measured (default: twice the longest replenishment path, at least 14).")
    var warmup: Int?

    @Option(help: "Independent replications (the confidence intervals are across them).")
    var replications: Int = 10

    @Option(help: "Random seed; the same seed gives the same results on any number of threads.")
    var seed: UInt64 = 1

    @Option(help: "Worker threads (0: every core).")
    var threads: Int = 0

    func validate() throws {
        guard days > 0 else { throw ValidationError("--days must be at least 1, got \(days)") }
        guard (warmup ?? 0) >= 0 else { throw ValidationError("--warmup must be ≥ 0") }
        guard replications > 0 else { throw ValidationError("--replications must be at least 1") }
        guard threads >= 0 else { throw ValidationError("--threads must be ≥ 0") }
    }

    func settings(for networks: [SimulationNetwork]) -> SimulationSettings {
        let suggested = networks.map { SimulationSettings.suggestedWarmup(for: $0) }.max() ?? 14
        return SimulationSettings(days: days, warmupDays: warmup ?? suggested, replications: replications, seed: seed, threads: threads)
    }
}

enum PlanLoading {
    /// Reads a plan directory, turning file errors into a clean exit with the file:line:field message.
    static func read(_ directory: String, scenario: Scenario) throws -> PlanFiles {
        do {
            return try PlanCSV.read(directory: directory, scenario: scenario)
        } catch let error as PlanFileError {
            ScenarioLocation.printError("\(error)\n")
            throw ExitCode.failure
        }
    }

    static func network(_ files: PlanFiles, scenario: Scenario) throws -> SimulationNetwork {
        do {
            return try SimulationNetwork(scenario: scenario, plan: files.plan)
        } catch let error as SimulationError {
            ScenarioLocation.printError("\(files.directory): \(error)\n")
            throw ExitCode.failure
        }
    }

    static func seconds(since start: Date) -> String { String(format: "%.2f", Date().timeIntervalSince(start)) }
}

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Play a plan under sampled demand and lead times, and report what happened.",
        discussion: """
            Plays the plan in PLANDIR (plan.csv, and service.csv for the model's fill rates) day by day: \
            orders sampled per product (Poisson, or negative binomial when the variance-to-mean ratio is \
            above 1), spread over the day by the arrival curve, each sent at its hour to the cheapest node \
            that is before its cut-off and has stock, else downgraded to slower speeds, else lost or \
            backordered. Replenishment is one-for-one to base stock, with sampled vendor lead times and \
            transits; upstream nodes ration first come, first served; work beyond a node's daily inbound or \
            outbound capacity waits. Writes OUT/simulation.json, fill_rates.csv, costs.csv and nodes.csv. \
            See docs/simulation.md.
            """
    )

    @OptionGroup var scenario: ScenarioArgument

    @Option(name: .long, help: ArgumentHelp("The plan directory (as written by 'echelon solve' or 'echelon baseline').", valueName: "plandir"))
    var plan: String

    @OptionGroup var simulation: SimulationOptions

    @Option(name: .long, help: ArgumentHelp("Where to write the reports.", valueName: "out"))
    var out: String

    func run() throws {
        let scenario = try self.scenario.load()
        let files = try PlanLoading.read(plan, scenario: scenario)
        let network = try PlanLoading.network(files, scenario: scenario)
        let settings = simulation.settings(for: [network])
        let start = Date()
        let results = Simulator.run(network, settings: settings)
        let elapsed = PlanLoading.seconds(since: start)
        let summary = SimulationSummary(network: network, results: results, settings: settings, planFiles: files)
        try SimulationOutput.write(summary, to: out)
        print(
            "Simulated \(scenario.products.count) products × \(settings.days) days (+\(settings.warmupDays) warm-up) "
                + "× \(results.count) replications in \(elapsed) s")
        print("")
        print(SimulationOutput.compareTable([(name: plan, summary: summary)]), terminator: "")
        print("")
        for speed in summary.speeds {
            let planned = speed.plannedFillRate.map { String(format: "model %.2f%%, error %+.2f pp", $0 * 100, speed.modelErrorPoints ?? 0) } ?? "no model value"
            print(String(format: "%@: simulated %.2f%% [%.2f, %.2f] (%@)", speed.speed, speed.fillRate.mean * 100, speed.fillRate.low * 100, speed.fillRate.high * 100, planned))
        }
        let gaps = summary.nodes.filter { $0.onHandModel > 0 || $0.onHand > 0 }
            .sorted { abs($0.onHand - $0.onHandModel) > abs($1.onHand - $1.onHandModel) }.prefix(5)
        if !gaps.isEmpty && summary.nodes.contains(where: { $0.onHandModel > 0 }) {
            print("Largest on-hand gaps, model vs simulation (units; availability model vs simulated):")
            for node in gaps {
                let availability =
                    node.availability.map { simulated in
                        String(format: "%.1f%% vs %.1f%%", (node.availabilityModel ?? 0) * 100, simulated * 100)
                    } ?? "no orders"
                print(String(format: "  %@  %.1f vs %.1f  (%@)", node.node, node.onHandModel, node.onHand, availability))
            }
        }
        print("Reports written to \(out)/ (simulation.json, fill_rates.csv, costs.csv, nodes.csv)")
    }
}
