import ArgumentParser
import EchelonModel
import EchelonSimulation
import Foundation

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Simulate several plans under common random numbers and compare them side by side.",
        discussion: """
            Every plan sees the same sampled demand in each replication (the same seed per product and \
            replication), so differences are the plans', not the dice's. Prints total cost and each term, \
            shipping cost per unit, fill rate per speed, capacity violations and units on hand, each with \
            its 95 % confidence interval, and writes OUT/compare.csv (plan,metric,value,ci_low,ci_high) and \
            each plan's full reports under OUT/<n>-<plan name>/.
            """
    )

    @Argument(help: ArgumentHelp("The scenario folder (`tiny` and `us-network` name the bundled samples).", valueName: "dir"))
    var directory: String

    @Argument(help: ArgumentHelp("Plan directories to compare.", valueName: "plandir"))
    var plans: [String]

    @OptionGroup var simulation: SimulationOptions

    @Option(name: .long, help: ArgumentHelp("Where to write compare.csv and the per-plan reports.", valueName: "out"))
    var out: String

    func validate() throws {
        guard !plans.isEmpty else { throw ValidationError("name at least one plan directory after the scenario") }
    }

    func run() throws {
        let scenario = try ScenarioLocation.load(directory)
        let files = try plans.map { try PlanLoading.read($0, scenario: scenario) }
        let networks = try files.map { try PlanLoading.network($0, scenario: scenario) }
        let settings = simulation.settings(for: networks)
        let start = Date()
        let results = Simulator.runMany(networks, settings: settings)
        let elapsed = PlanLoading.seconds(since: start)
        var names: [String] = []
        for plan in plans {
            var name = plan.split(separator: "/").last.map(String.init) ?? plan
            if names.contains(name) { name = plan }
            names.append(name)
        }
        var summaries: [(name: String, summary: SimulationSummary)] = []
        try PlanCSV.makeDirectory(out)
        for i in plans.indices {
            let summary = SimulationSummary(network: networks[i], results: results[i], settings: settings, planFiles: files[i])
            summaries.append((names[i], summary))
            let safe = String(names[i].map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
            try SimulationOutput.write(summary, to: PlanCSV.joinPath(out, "\(i + 1)-\(safe)"))
        }
        try PlanCSV.writeFileAtomically(SimulationOutput.compareCSV(summaries), to: PlanCSV.joinPath(out, "compare.csv"))
        print(
            "\(plans.count) plans × \(scenario.products.count) products × \(settings.days) days (+\(settings.warmupDays) warm-up) "
                + "× \(settings.replications) replications, common random numbers, in \(elapsed) s")
        print("")
        print(SimulationOutput.compareTable(summaries), terminator: "")
        print("")
        if summaries.count > 1 {
            print("Paired differences (same demand in each replication):")
            print(SimulationOutput.differenceTable(summaries), terminator: "")
            print("")
        }
        print("Written \(out)/compare.csv and one report folder per plan.")
    }
}
