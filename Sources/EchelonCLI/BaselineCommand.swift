import ArgumentParser
import EchelonModel
import EchelonSimulation

extension BaselinePolicy: ExpressibleByArgument {}

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Write a baseline plan (legacy or national) in the 'echelon solve' format.",
        discussion: """
            legacy: every building sized on its own for the demand it is the cheapest option for, at a \
            fixed cycle service level (default 95 %), blind to the network and to capacities; a DC also \
            holds stock for the buildings it replenishes. national: one pooled stock at the DCs, sized \
            for all the demand each DC can serve at any speed. Each product buys from its cheapest vendor. \
            The expected columns of plan.csv and the planned fill rates of service.csv are the planning \
            model's evaluation of the baseline (as for a solved plan), unless --own-view asks for the \
            baseline's own single-node view. Writes PLANDIR/plan.csv and service.csv.
            """
    )

    @OptionGroup var scenario: ScenarioArgument

    @Option(help: "legacy or national.")
    var policy: BaselinePolicy

    @Option(name: .customLong("cycle-service"), help: "Chance a replenishment cycle ends with stock (0–1).")
    var cycleService: Double = 0.95

    @Flag(name: .customLong("own-view"), help: "Expected columns from the baseline's own single-node sizing, not the planning model.")
    var ownView = false

    @Option(name: .long, help: ArgumentHelp("The plan directory to write.", valueName: "plandir"))
    var out: String

    func validate() throws {
        guard cycleService > 0 && cycleService < 1 else {
            throw ValidationError("--cycle-service must be strictly between 0 and 1, got \(cycleService)")
        }
    }

    func run() throws {
        let scenario = try self.scenario.load()
        var (plan, service) = Baselines.plan(scenario, policy: policy, cycleService: cycleService)
        if !ownView { (plan, service) = Baselines.withModelExpectations(plan, scenario: scenario) }
        try PlanCSV.write(plan, service: service, scenario: scenario, to: out)
        let units = plan.positions.reduce(0) { $0 + Int($1.baseStock) }
        print("\(policy.rawValue) baseline: \(plan.positions.count) positions, \(units) units of base stock, written to \(out)/")
    }
}
