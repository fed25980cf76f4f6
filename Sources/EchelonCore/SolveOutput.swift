// The files a solve leaves behind (issue 3, item 6): plan.csv, prices.csv, service.csv,
// convergence.csv and summary.json. Each file is written to a temporary file in the same folder and
// renamed over the target, so a reader never sees half a file.

import EchelonModel
import Foundation

public enum SolveOutput {
    public static let planHeader =
        "product,node,vendor,base_stock,expected_on_hand,outbound_per_day,inbound_per_day,fill_rate"
    public static let pricesHeader =
        "node,kind,storage_price,outbound_price,inbound_price,storage_used,storage_capacity,outbound_used,outbound_capacity,inbound_used,inbound_capacity"
    public static let serviceHeader = "speed,target_fill_rate,planned_fill_rate,price"
    public static let convergenceHeader = "iteration,seconds,dual_bound,primal_cost,gap,step,max_violation"

    /// Writes the five files into `directory`, creating it if needed.
    public static func write(_ result: SolveResult, scenario: Scenario, to directory: String) throws {
        try PlanCSV.makeDirectory(directory)
        try PlanCSV.writePlanFile(result.plan, scenario: scenario, to: directory + "/plan.csv")
        try writeAtomically(pricesCSV(result, scenario: scenario), to: directory + "/prices.csv")
        try writeAtomically(serviceCSV(result, scenario: scenario), to: directory + "/service.csv")
        try writeAtomically(convergenceCSV(result), to: directory + "/convergence.csv")
        try writeAtomically(summaryJSON(result, scenario: scenario), to: directory + "/summary.json")
    }

    /// plan.csv, in the format `PlanCSV` reads back (the simulation's input). `write` streams the same
    /// text to the file instead of building it.
    public static func planCSV(_ result: SolveResult, scenario: Scenario) -> String {
        PlanCSV.planText(result.plan, scenario: scenario)
    }

    public static func pricesCSV(_ result: SolveResult, scenario: Scenario) -> String {
        var out = pricesHeader + "\n"
        for (n, node) in scenario.nodes.enumerated() {
            let u = result.nodes[n]
            out += "\(csvField(node.id)),\(node.kind.rawValue),\(number(u.storagePrice)),\(number(u.outboundPrice))"
            out += ",\(number(u.inboundPrice)),\(number(u.storageUsed)),\(number(node.storageCapacity))"
            out += ",\(number(u.outboundUsed)),\(number(node.outboundCapacity)),\(number(u.inboundUsed))"
            out += ",\(number(node.inboundCapacity))\n"
        }
        return out
    }

    public static func serviceCSV(_ result: SolveResult, scenario: Scenario) -> String {
        PlanCSV.serviceText(plannedService(result, scenario: scenario), scenario: scenario)
    }

    /// service.csv's rows: each speed's target, the model's fill rate and the final price.
    public static func plannedService(_ result: SolveResult, scenario: Scenario) -> [PlannedService] {
        scenario.speeds.enumerated().map { s, speed in
            PlannedService(
                speed: s, targetFillRate: speed.targetFillRate, plannedFillRate: result.speeds[s].plannedFillRate,
                price: result.speeds[s].price)
        }
    }

    public static func convergenceCSV(_ result: SolveResult) -> String {
        var out = convergenceHeader + "\n"
        for snapshot in result.history {
            out += "\(snapshot.iteration),\(number(snapshot.seconds)),\(number(snapshot.dualBound)),\(number(snapshot.bestPrimal))"
            out += ",\(number(snapshot.gap)),\(number(snapshot.step)),\(number(snapshot.maxViolation))\n"
        }
        return out
    }

    public static func summaryJSON(_ result: SolveResult, scenario: Scenario) -> String {
        let c = result.costs
        var lines: [String] = []
        lines.append("  \"scenario\": \(jsonString(scenario.name))")
        lines.append("  \"objective\": \(jsonNumber(c.total))")
        lines.append("  \"purchase\": \(jsonNumber(c.purchase))")
        lines.append("  \"inbound_transport\": \(jsonNumber(c.inboundTransport))")
        lines.append("  \"holding\": \(jsonNumber(c.holding))")
        lines.append("  \"outbound_shipping\": \(jsonNumber(c.outboundShipping))")
        lines.append("  \"miss_penalty\": \(jsonNumber(c.missPenalty))")
        lines.append("  \"transfer\": \(jsonNumber(c.transfer))")
        lines.append("  \"dual_bound\": \(jsonNumber(result.dualBound))")
        lines.append("  \"gap\": \(jsonNumber(result.gap))")
        lines.append("  \"certified\": \(result.certified)")
        lines.append("  \"iterations\": \(result.iterations)")
        lines.append("  \"seconds\": \(jsonNumber(result.seconds))")
        lines.append("  \"threads\": \(result.threads)")
        lines.append("  \"stop_reason\": \(jsonString(result.stopReason.rawValue))")
        var violations: [String] = []
        for v in result.violations {
            let name = v.kind == .service ? scenario.speeds[v.index].id : scenario.nodes[v.index].id
            let key = v.kind == .service ? "speed" : "node"
            violations.append(
                "    {\"constraint\": \(jsonString(v.kind.rawValue)), \"\(key)\": \(jsonString(name)), \"used\": \(jsonNumber(v.used)), "
                    + "\"limit\": \(jsonNumber(v.limit)), \"amount\": \(jsonNumber(v.amount))"
                    + (v.reachable.map { ", \"reachable\": \(jsonNumber($0))" } ?? "")
                    + (v.leftOutForCapacities ? ", \"left_out_for_capacities\": true" : "") + "}")
        }
        lines.append(violations.isEmpty ? "  \"violations\": []" : "  \"violations\": [\n" + violations.joined(separator: ",\n") + "\n  ]")
        return "{\n" + lines.joined(separator: ",\n") + "\n}\n"
    }

    /// Writes `contents` next to `path` under a temporary name, then renames it over `path`.
    public static func writeAtomically(_ contents: String, to path: String) throws {
        try PlanCSV.writeFileAtomically(contents, to: path)
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return PlanCSV.formatNumber(value)
    }

    static func jsonNumber(_ value: Double) -> String { value.isFinite ? number(value) : "null" }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    static func csvField(_ text: String) -> String { PlanCSV.csvField(text) }
}

/// A file that could not be written.
public struct OutputError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): cannot write: \(message)" }
}
