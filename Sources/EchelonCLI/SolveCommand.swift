import ArgumentParser
import EchelonCore
import EchelonModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension MasterMethod: ExpressibleByArgument {}

/// `--sample-from`, shared by `solve` and `bench`.
struct SampledStartOption: ParsableArguments {
    @Option(
        name: .customLong("sample-from"),
        help: "Products from which a cold solve starts from the prices of a sample of them (a third, at most 2,500; 0: never).")
    var sampleFrom: Int = Solver.defaultSampledStartThreshold
}

struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Plan buying and placement: base stocks per product and node, capacity prices, service.",
        discussion: """
            Solves the scenario in DIR by Lagrangian decomposition (docs/solver.md): prices on every node's \
            storage, outbound and inbound capacity and on every speed's fill-rate target, one subproblem per \
            product, then a repair so the plan fits. Writes OUT/plan.csv, prices.csv, service.csv, \
            convergence.csv and summary.json. Exits with 0 when the plan is feasible, 2 when some \
            constraint cannot be met (summary.json lists which and by how much).
            """
    )

    @OptionGroup var scenario: ScenarioArgument

    @Option(name: .long, help: ArgumentHelp("Where to write the plan and reports.", valueName: "out"))
    var out: String

    @Option(name: .customLong("what-if"), help: ArgumentHelp("A TOML file of changes to apply first (docs/solver.md).", valueName: "file"))
    var whatIf: String?

    @Option(help: "Relative gap at which to stop (0.005 = 0.5 %).")
    var gap: Double = 0.005

    @Option(name: .customLong("max-iterations"), help: "Iteration cap of the master.")
    var maxIterations: Int = 200

    @Option(name: .customLong("time-limit"), help: "Seconds.")
    var timeLimit: Double = 60

    @Option(help: "Worker threads (0: every core).")
    var threads: Int = 0

    @Option(help: "How the master moves prices: adaptive (default: a step per price), subgradient (Polyak steps) or volume.")
    var method: MasterMethod = .adaptive

    @OptionGroup var sampledStart: SampledStartOption

    func validate() throws {
        guard gap >= 0 else { throw ValidationError("--gap must be ≥ 0, got \(gap)") }
        guard maxIterations >= 1 else { throw ValidationError("--max-iterations must be at least 1") }
        guard timeLimit > 0 else { throw ValidationError("--time-limit must be positive") }
        guard threads >= 0 else { throw ValidationError("--threads must be ≥ 0") }
    }

    func run() throws {
        var scenario = try self.scenario.load()
        MemoryTrace.mark("scenario loaded")
        if let whatIf {
            do {
                let changes = try WhatIfFile.load(path: whatIf, scenario: scenario)
                scenario = try scenario.applying(changes)
                for change in changes { print("what-if: \(change.describe(in: scenario))") }
            } catch let error as WhatIfInputError {
                ScenarioLocation.printError("\(error)\n")
                throw ExitCode.failure
            }
        }
        let interactive = isatty(2) != 0
        let limits = SolveLimits(gap: gap, maxIterations: maxIterations, timeLimit: timeLimit, threads: threads)
        var solver = Solver(method: method, sampledStartThreshold: sampledStart.sampleFrom)
        // Nothing is re-solved from this solve: its relaxation need not be kept (≈ 0.55 GB at 1 M products).
        solver.carriesRelaxation = false
        let result = solver.solve(scenario: scenario, limits: limits, progress: { snapshot in
            guard interactive else { return }
            ScenarioLocation.printError("\r\u{1B}[K" + Self.progressLine(snapshot))
        })
        if interactive { ScenarioLocation.printError("\r\u{1B}[K") }
        MemoryTrace.mark("solved")
        do {
            try SolveOutput.write(result, scenario: scenario, to: out)
            MemoryTrace.mark("written")
        } catch {
            ScenarioLocation.printError("\(error)\n")
            throw ExitCode.failure
        }
        print(Self.report(result, scenario: scenario))
        print("Written to \(out)/ (plan.csv, prices.csv, service.csv, convergence.csv, summary.json)")
        if !result.violations.isEmpty { throw ExitCode(2) }
    }

    static func progressLine(_ s: SolverSnapshot) -> String {
        let primal = s.bestPrimal.isFinite ? format(s.bestPrimal, 2) : "—"
        let gap = s.gap.isFinite ? format(s.gap * 100, 3) + " %" : "—"
        return "iteration \(s.iteration)  \(format(s.seconds, 1)) s  bound \(format(s.dualBound, 2))  plan \(primal)  gap \(gap)  violation \(format(s.maxViolation * 100, 2)) %"
    }

    static func report(_ result: SolveResult, scenario: Scenario) -> String {
        let c = result.costs
        var lines: [String] = []
        lines.append("Solved \(scenario.products.count) products × \(scenario.nodes.count) nodes in \(format(result.seconds, 2)) s, \(result.iterations) iterations on \(result.threads) threads (stopped: \(result.stopReason.rawValue))")
        lines.append("cost per day \(format(c.total, 2)): purchase \(format(c.purchase, 2)), inbound \(format(c.inboundTransport, 2)), holding \(format(c.holding, 2)), outbound \(format(c.outboundShipping, 2)), misses \(format(c.missPenalty, 2)), transfers \(format(c.transfer, 2))")
        let gap = result.gap.isFinite ? format(result.gap * 100, 3) + " %" : "—"
        // A heuristic subproblem can miss its minimum, so an uncertified bound can sit above a plan found.
        let below = !result.certified && result.gap.isFinite && result.costs.total < result.dualBound
            ? "; the plan costs less than this bound, so here it bounds nothing" : ""
        lines.append("dual bound \(format(result.dualBound, 2)), gap \(gap), bound \(result.certified ? "certified" : "not certified (heuristic subproblems)")\(below)")
        for (s, speed) in scenario.speeds.enumerated() {
            lines.append("\(speed.id): fill rate \(format(result.speeds[s].plannedFillRate * 100, 2)) % (target \(format(speed.targetFillRate * 100, 2)) %), price \(format(result.speeds[s].price, 4))")
        }
        if result.violations.isEmpty {
            lines.append("feasible: every capacity and service target is met")
        } else {
            for v in result.violations {
                let name = v.kind == .service ? scenario.speeds[v.index].id : scenario.nodes[v.index].id
                lines.append("cannot meet \(v.kind.rawValue) at \(name): \(format(v.used, 3)) against \(format(v.limit, 3)) (by \(format(v.amount, 3)))")
                if let reachable = v.reachable {
                    lines.append(
                        "  no plan can: at most \(format(reachable * 100, 2)) % of \(name)'s orders reach an open node that keeps the promise "
                            + "before its cut-off; planned by the miss penalty alone. A speed_service what-if below \(format(reachable * 100, 2)) % holds a target.")
                } else if v.leftOutForCapacities {
                    lines.append(
                        "  not within the capacities: no plan met every target and capacity, so this target was left out and the plan "
                            + "keeps every capacity, its misses priced by the miss penalty alone. A lower target (speed_service what-if) or more capacity holds one.")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (abs(value) * scale).rounded() / scale
        var text = String(Int64(rounded))
        if digits > 0 {
            let fraction = Int64(((rounded - Double(Int64(rounded))) * scale).rounded())
            var digitsText = String(fraction)
            while digitsText.count < digits { digitsText = "0" + digitsText }
            text += "." + digitsText
        }
        return (value < 0 && rounded > 0 ? "-" : "") + text
    }
}
