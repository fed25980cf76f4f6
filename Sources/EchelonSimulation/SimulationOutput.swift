// Writing simulation reports: `simulation.json` and CSVs, each file written atomically.

import EchelonModel
import Foundation

public enum SimulationOutput {
    /// Writes `simulation.json`, `fill_rates.csv`, `costs.csv` and `nodes.csv` into `directory`.
    public static func write(_ summary: SimulationSummary, to directory: String) throws {
        try PlanCSV.makeDirectory(directory)
        try PlanCSV.writeFileAtomically(json(summary), to: PlanCSV.joinPath(directory, "simulation.json"))
        try PlanCSV.writeFileAtomically(fillRatesCSV(summary), to: PlanCSV.joinPath(directory, "fill_rates.csv"))
        try PlanCSV.writeFileAtomically(costsCSV(summary), to: PlanCSV.joinPath(directory, "costs.csv"))
        try PlanCSV.writeFileAtomically(nodesCSV(summary), to: PlanCSV.joinPath(directory, "nodes.csv"))
    }

    public static func json(_ summary: SimulationSummary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n"
    }

    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        let rounded = (value * 1e6).rounded() / 1e6
        return PlanCSV.formatNumber(rounded)
    }

    public static func fillRatesCSV(_ summary: SimulationSummary) -> String {
        var out = "speed,target_fill_rate,planned_fill_rate,simulated_fill_rate,ci_low,ci_high,model_error_pp,"
            + "downgraded_share,unserved_share,demand_per_day\n"
        for s in summary.speeds {
            out += [
                PlanCSV.csvField(s.speed), number(s.targetFillRate), number(s.plannedFillRate), number(s.fillRate.mean),
                number(s.fillRate.low), number(s.fillRate.high), number(s.modelErrorPoints), number(s.downgradedShare.mean),
                number(s.unservedShare.mean), number(s.demandPerDay),
            ].joined(separator: ",") + "\n"
        }
        return out
    }

    public static func costsCSV(_ summary: SimulationSummary) -> String {
        var out = "term,per_day,ci_low,ci_high\n"
        for c in summary.costs {
            out += [c.term, number(c.perDay.mean), number(c.perDay.low), number(c.perDay.high)].joined(separator: ",") + "\n"
        }
        let t = summary.totalCostPerDay
        out += ["total", number(t.mean), number(t.low), number(t.high)].joined(separator: ",") + "\n"
        let u = summary.shippingCostPerUnit
        out += ["shipping_cost_per_unit", number(u.mean), number(u.low), number(u.high)].joined(separator: ",") + "\n"
        return out
    }

    public static func nodesCSV(_ summary: SimulationSummary) -> String {
        var out = "node,kind,storage_mean,storage_p95,storage_capacity,storage_days_over,outbound_mean,outbound_p95,"
            + "outbound_capacity,outbound_days_over,outbound_delayed_unit_days,inbound_mean,inbound_p95,inbound_capacity,"
            + "inbound_days_over,inbound_delayed_unit_days,on_hand,on_hand_model,customer_outbound,customer_outbound_model,"
            + "inbound,inbound_model,availability,availability_model\n"
        for n in summary.nodes {
            out += [
                PlanCSV.csvField(n.node), n.kind, number(n.storageMean), number(n.storageP95), number(n.storageCapacity),
                number(n.storageDaysOver), number(n.outboundMean), number(n.outboundP95), number(n.outboundCapacity),
                number(n.outboundDaysOver), number(n.outboundDelayedUnitDays), number(n.inboundMean), number(n.inboundP95),
                number(n.inboundCapacity), number(n.inboundDaysOver), number(n.inboundDelayedUnitDays), number(n.onHand),
                number(n.onHandModel), number(n.customerOutbound), number(n.customerOutboundModel), number(n.inbound),
                number(n.inboundModel), number(n.availability), number(n.availabilityModel),
            ].joined(separator: ",") + "\n"
        }
        return out
    }

    /// `compare.csv`: one row per plan and metric.
    public static func compareCSV(_ summaries: [(name: String, summary: SimulationSummary)]) -> String {
        var out = "plan,metric,value,ci_low,ci_high\n"
        for (name, summary) in summaries {
            for (metric, value) in summary.metrics {
                out += [PlanCSV.csvField(name), metric, number(value.mean), number(value.low), number(value.high)]
                    .joined(separator: ",") + "\n"
            }
        }
        for entry in pairedDifferences(summaries) {
            for (metric, value) in entry.differences {
                out += [
                    PlanCSV.csvField(entry.name), metric + "_minus_" + summaries[0].name, number(value.mean),
                    number(value.low), number(value.high),
                ].joined(separator: ",") + "\n"
            }
        }
        return out
    }

    /// Differences from the first plan, replication by replication: under common random numbers these
    /// intervals are much narrower than the difference of two separate intervals.
    public static func pairedDifferences(_ summaries: [(name: String, summary: SimulationSummary)])
        -> [(name: String, summary: SimulationSummary, differences: [(metric: String, value: Estimate)])]
    {
        guard let base = summaries.first else { return [] }
        return summaries.dropFirst().map { entry in
            let differences = zip(entry.summary.metricSamples, base.summary.metricSamples).map { mine, theirs in
                (metric: mine.name, value: Estimate(samples: zip(mine.samples, theirs.samples).map { $0 - $1 }))
            }
            return (entry.name, entry.summary, differences)
        }
    }

    /// A table of each plan's differences from the first plan, with paired intervals.
    public static func differenceTable(_ summaries: [(name: String, summary: SimulationSummary)]) -> String {
        let paired = pairedDifferences(summaries)
        guard let first = summaries.first, !paired.isEmpty else { return "" }
        var rows: [[String]] = [["minus " + first.name] + paired.map(\.name)]
        for (m, metric) in first.summary.metricSamples.enumerated() {
            var row = [metric.name]
            for entry in paired {
                let value = entry.differences[m].value
                let isRate = metric.name.hasPrefix("fill_rate_")
                let scale = isRate ? 100.0 : 1.0
                let unit = isRate ? " pp" : ""
                row.append(String(format: "%+.2f ±%.2f", value.mean * scale, value.halfWidth * scale) + unit)
            }
            rows.append(row)
        }
        return alignedTable(rows)
    }

    static func alignedTable(_ rows: [[String]]) -> String {
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = ""
        for (r, row) in rows.enumerated() {
            let cells = row.enumerated().map { c, cell in
                c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - cell.count) + cell
            }
            out += cells.joined(separator: "  ") + "\n"
            if r == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }

    /// A side-by-side table of the headline metrics, one column per plan.
    public static func compareTable(_ summaries: [(name: String, summary: SimulationSummary)]) -> String {
        guard let first = summaries.first else { return "" }
        let names = first.summary.metrics.map(\.name)
        var rows: [[String]] = [["metric"] + summaries.map(\.name)]
        for (m, name) in names.enumerated() {
            var row = [name]
            for (_, summary) in summaries {
                let value = summary.metrics[m].value
                let isRate = name.hasPrefix("fill_rate_")
                let mean = isRate ? String(format: "%.2f%%", value.mean * 100) : String(format: "%.2f", value.mean)
                let half = isRate ? String(format: "%.2f", value.halfWidth * 100) : String(format: "%.2f", value.halfWidth)
                row.append(value.halfWidth > 0 ? "\(mean) ±\(half)" : mean)
            }
            rows.append(row)
        }
        return alignedTable(rows)
    }
}
