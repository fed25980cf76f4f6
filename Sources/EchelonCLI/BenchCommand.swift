import ArgumentParser
import Dispatch
import EchelonCore
import EchelonModel
import EchelonSimulation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the planning core on a generated scenario (docs/benchmarks.md).",
        discussion: """
            Generates N products on the bundled network shape (or reads --scenario), then measures: a cold \
            solve to 0.1 % gap (recording when the gap first fell to 1 % and to 0.1 %), a warm re-solve \
            after the storage that binds hardest (largest price × capacity; else the busiest node's) drops \
            20 % (--cut-share), the changed scenario solved cold, product evaluations per second on one core, \
            peak memory per product, and the simulation of the cold plan (365 days × --sim-replications).
            """
    )

    @Option(help: "Products to generate.")
    var products: Int = 10_000

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Bench this scenario folder instead of a generated one ('us-network' for the bundled sample).", valueName: "dir"))
    var scenario: String?

    @Option(help: "Worker threads (0: every core).")
    var threads: Int = 0

    @Option(name: .customLong("time-limit"), help: "Seconds per solve.")
    var timeLimit: Double = 120

    @Option(help: "How the master moves prices.")
    var method: MasterMethod = .adaptive

    @OptionGroup var sampledStart: SampledStartOption

    @Option(
        name: .customLong("cut-node"),
        help: ArgumentHelp(
            "The node whose storage the warm re-solve cuts (default: the one that binds hardest in the cold plan, which can differ between versions).",
            valueName: "id"))
    var cutNode: String?

    @Option(name: .customLong("cut-share"), help: "The share of that node's storage the warm re-solve's what-if takes away.")
    var cutShare: Double = 0.2

    @Flag(name: .customLong("close-node"), help: "The warm re-solve's what-if closes that node instead of cutting its storage.")
    var closeNode = false

    @Option(name: .customLong("sim-replications"), help: "Replications of the simulation case (365 days each; 0 skips it).")
    var simReplications: Int = 10

    @Flag(help: "Print the results as JSON.")
    var json = false

    func run() throws {
        let scenario: Scenario
        if let path = self.scenario {
            scenario = try ScenarioLocation.load(path)
        } else {
            scenario = ScenarioGenerator(products: products, seed: seed).makeScenario()
        }
        // Checked before the cold solve, which can take minutes.
        guard cutShare > 0 && cutShare < 1 else { throw ValidationError("--cut-share: \(cutShare) is not between 0 and 1") }
        let requestedCut = try cutNode.map { id in
            guard let n = scenario.nodes.firstIndex(where: { $0.id == id }) else {
                throw ValidationError("--cut-node: no node '\(id)' in the scenario")
            }
            return n
        }
        let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let memoryBefore = Self.peakMemoryBytes()
        let compileStart = clock()
        let model = PlanningModel(scenario: scenario)
        let compileSeconds = clock() - compileStart
        let stats = model.statistics
        ScenarioLocation.printError(
            "\(scenario.products.count) products, \(stats.templates) templates; per product \(Self.fixed(stats.nodesPerProduct, 1)) nodes, "
                + "\(Self.fixed(stats.chainsPerProduct, 1)) chains, \(Self.fixed(stats.positionsPerProduct, 1)) positions\n")
        let limits = SolveLimits(gap: 0.001, maxIterations: 10_000, timeLimit: timeLimit, threads: threads)
        let solver = Solver(method: method, sampledStartThreshold: sampledStart.sampleFrom)

        var coldStatistics = SolveStatistics()
        var timeTo1: Double? = nil, timeTo05: Double? = nil, timeTo01: Double? = nil
        let cpuBeforeCold = Self.processorSeconds()
        let cold = solver.solve(model: model, limits: limits, statistics: &coldStatistics) { snapshot in
            if snapshot.gap <= 0.01 && timeTo1 == nil { timeTo1 = snapshot.seconds }
            // The bundled sample's target is a feasible plan within 0.5 %.
            if snapshot.gap <= 0.005 && timeTo05 == nil { timeTo05 = snapshot.seconds }
            if snapshot.gap <= 0.001 && timeTo01 == nil { timeTo01 = snapshot.seconds }
        }

        let coldProcessorSeconds = Self.processorSeconds() - cpuBeforeCold

        // Warm re-solve: the node whose storage binds hardest (the largest shadow price times capacity; the
        // busiest node when none binds) loses `--cut-share` of it (20 %), so the last plan no longer fits there.
        func bindingValue(_ n: Int) -> Double { cold.nodes[n].storagePrice * scenario.nodes[n].storageCapacity }
        let binding = (0..<scenario.nodes.count).filter { bindingValue($0) > 0 && scenario.nodes[$0].storageCapacity.isFinite }
        let hardest =
            binding.max { bindingValue($0) < bindingValue($1) }
            ?? (0..<scenario.nodes.count).max { cold.nodes[$0].storageUsed < cold.nodes[$1].storageUsed } ?? 0
        let changedNode = requestedCut ?? hardest
        let changed = try scenario.applying([
            closeNode
                ? .closeNode(node: changedNode)
                : .setCapacity(node: changedNode, storage: scenario.nodes[changedNode].storageCapacity * (1 - cutShare), outbound: nil, inbound: nil)
        ])
        var warmStatistics = SolveStatistics()
        var warmLimits = limits
        warmLimits.gap = 0.01
        let changedModel = PlanningModel(scenario: changed)
        let cpuBeforeWarm = Self.processorSeconds()
        let warmStart = clock()
        let warm = solver.solve(model: changedModel, limits: warmLimits, warmStart: WarmStart(cold), statistics: &warmStatistics)
        // The whole call, as a planner waits for it: the solver's stores and the plan's final evaluation
        // besides the iterations that `warm.seconds` counts.
        let warmWallSeconds = clock() - warmStart
        let warmProcessorSeconds = Self.processorSeconds() - cpuBeforeWarm
        var coldTo1Statistics = SolveStatistics()
        let cpuBeforeChangedCold = Self.processorSeconds()
        let changedColdStart = clock()
        let coldChanged = solver.solve(model: changedModel, limits: warmLimits, statistics: &coldTo1Statistics)
        let changedColdWallSeconds = clock() - changedColdStart
        let changedColdProcessorSeconds = Self.processorSeconds() - cpuBeforeChangedCold

        // Evaluations per second on one core, at the cold plan.
        let evaluator = ProductEvaluator(model: model)
        let rate = evaluator.evaluationsPerSecond(plan: cold.plan, seconds: 2)

        // Simulation case: the cold plan played 365 days (after the suggested warm-up) per replication.
        var simulationResults: [(String, String)] = []
        if simReplications > 0 {
            let network = try SimulationNetwork(scenario: scenario, plan: cold.plan)
            let settings = SimulationSettings(
                days: 365, warmupDays: SimulationSettings.suggestedWarmup(for: network), replications: simReplications,
                seed: 1, threads: threads)
            let simulationStart = clock()
            _ = Simulator.run(network, settings: settings)
            let seconds = clock() - simulationStart
            let productDays = Double(scenario.products.count * (settings.days + settings.warmupDays) * settings.replications)
            simulationResults = [
                ("simulation_replications", "\(settings.replications)"),
                ("simulation_warmup_days", "\(settings.warmupDays)"),
                ("simulation_seconds", Self.fixed(seconds, 2)),
                ("simulation_product_days_per_second", Self.fixed(productDays / max(1e-9, seconds), 0)),
                // Scaled to the target case: 2,000 products × 365 measured days × 10 replications.
                ("simulation_seconds_2000x365x10", Self.fixed(seconds * 2000 * 365 * 10 / (Double(scenario.products.count) * 365 * Double(settings.replications)), 2)),
            ]
        }

        let peak = Self.peakMemoryBytes()
        let perProduct = Double(peak) / Double(max(1, scenario.products.count))
        let results: [(String, String)] = [
            ("products", "\(scenario.products.count)"),
            ("nodes", "\(scenario.nodes.count)"),
            ("threads", "\(cold.threads)"),
            ("method", method.rawValue),
            ("templates", "\(stats.templates)"),
            ("nodes_per_product", Self.fixed(stats.nodesPerProduct, 1)),
            ("chains_per_product", Self.fixed(stats.chainsPerProduct, 1)),
            ("positions_per_product", Self.fixed(stats.positionsPerProduct, 1)),
            ("compile_seconds", Self.fixed(compileSeconds, 3)),
            ("cold_seconds_to_1pct", timeTo1.map { Self.fixed($0, 2) } ?? "null"),
            ("cold_seconds_to_0.5pct", timeTo05.map { Self.fixed($0, 2) } ?? "null"),
            ("cold_seconds_to_0.1pct", timeTo01.map { Self.fixed($0, 2) } ?? "null"),
            ("cold_seconds", Self.fixed(cold.seconds, 2)),
            // Processor time of every thread: on this shared machine it varies less from run to run than
            // the wall clock, so it is the fairer measure when comparing variants run one after the other.
            ("cold_cpu_seconds", Self.fixed(coldProcessorSeconds, 2)),
            ("cold_iterations", "\(cold.iterations)"),
            ("cold_gap", Self.fixed(cold.gap * 100, 4)),
            ("cold_feasible", "\(cold.violations.isEmpty)"),
            ("cold_subproblems", "\(coldStatistics.subproblemsSolved)"),
            ("cold_evaluations", "\(coldStatistics.evaluations)"),
            ("cold_sample_evaluations", "\(coldStatistics.sampleEvaluations)"),
            ("cold_repair_evaluations", "\(coldStatistics.repairEvaluations)"),
            ("cold_sweeps_per_evaluation", Self.fixed(Double(coldStatistics.sweeps) / Double(max(1, coldStatistics.evaluations)), 2)),
            ("warm_node", scenario.nodes[changedNode].id),
            ("warm_cut_share", closeNode ? "closed" : Self.fixed(cutShare, 2)),
            ("warm_seconds_to_1pct", Self.fixed(warm.seconds, 2)),
            ("warm_iterations", "\(warm.iterations)"),
            ("warm_gap", Self.fixed(warm.gap * 100, 4)),
            ("warm_feasible", "\(warm.violations.isEmpty)"),
            ("warm_stop_reason", warm.stopReason.rawValue),
            ("warm_evaluations", "\(warmStatistics.evaluations)"),
            ("warm_repair_evaluations", "\(warmStatistics.repairEvaluations)"),
            ("warm_sweeps_per_evaluation", Self.fixed(Double(warmStatistics.sweeps) / Double(max(1, warmStatistics.evaluations)), 2)),
            // The worst constraint a warm plan breaks, relative to its limit (what, where, how far).
            ("warm_worst_violation", warm.violations.max { $0.relative < $1.relative }.map {
                "\($0.kind.rawValue) \($0.kind == .service ? scenario.speeds[$0.index].id : scenario.nodes[$0.index].id) \(Self.fixed(100 * $0.relative, 3)) %"
            } ?? "none"),
            ("changed_cold_seconds_to_1pct", Self.fixed(coldChanged.seconds, 2)),
            ("changed_cold_evaluations", "\(coldTo1Statistics.evaluations)"),
            ("warm_over_cold", Self.fixed(warm.seconds / max(1e-9, coldChanged.seconds), 3)),
            ("warm_wall_seconds", Self.fixed(warmWallSeconds, 2)),
            ("changed_cold_wall_seconds", Self.fixed(changedColdWallSeconds, 2)),
            ("warm_over_cold_wall", Self.fixed(warmWallSeconds / max(1e-9, changedColdWallSeconds), 3)),
            // In processor time (each solve with its final plan's evaluation): a burst of another tenant's
            // load moves a 5 s solve's wall clock by a quarter, its processor time much less.
            ("warm_cpu_seconds", Self.fixed(warmProcessorSeconds, 2)),
            ("changed_cold_cpu_seconds", Self.fixed(changedColdProcessorSeconds, 2)),
            ("warm_over_cold_cpu", Self.fixed(warmProcessorSeconds / max(1e-9, changedColdProcessorSeconds), 3)),
            // The same ratio in evaluations: the machine's load does not move it.
            ("warm_over_cold_evaluations", Self.fixed(Double(warmStatistics.evaluations) / Double(max(1, coldTo1Statistics.evaluations)), 3)),
            ("evaluations_per_second_per_core", Self.fixed(rate, 0)),
            ("peak_memory_mb", Self.fixed(Double(peak) / 1_048_576, 1)),
            ("memory_before_mb", Self.fixed(Double(memoryBefore) / 1_048_576, 1)),
            ("peak_memory_bytes_per_product", Self.fixed(perProduct, 0)),
        ] + simulationResults
        if json {
            let body = results.map { key, value in
                let isNumber = Double(value) != nil || value == "true" || value == "false" || value == "null"
                return "  \"\(key)\": " + (isNumber ? value : "\"\(value)\"")
            }
            print("{\n" + body.joined(separator: ",\n") + "\n}")
        } else {
            for (key, value) in results { print("\(key.padding(toLength: 34, withPad: " ", startingAt: 0)) \(value)") }
        }
    }

    /// Peak resident set size of this process (ru_maxrss is in kilobytes on Linux).
    static func peakMemoryBytes() -> Int { Int(resourceUsage().ru_maxrss) * 1024 }

    /// User plus system processor seconds of this process so far, over all threads.
    static func processorSeconds() -> Double {
        let usage = resourceUsage()
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private static func resourceUsage() -> rusage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { SolveCommand.format(value, digits) }
}
