// The values in the files a solve leaves behind, read back and compared with the result they came
// from (the first output test checks only the headers and row counts).
//
// `SolveOutput.number` prints Swift's shortest round-trip form (integers without ".0", "inf" and
// "nan" for the rest), so a number reads back exactly; the comparisons allow a relative 1e-9 all
// the same.

import EchelonModel
import Foundation
import Testing
@testable import EchelonCore

/// `actual` equals `expected` to a relative 1e-9; infinities must match exactly and NaN matches NaN.
private func close(_ actual: Double?, _ expected: Double) -> Bool {
    guard let actual else { return false }
    if actual.isNaN || expected.isNaN { return actual.isNaN && expected.isNaN }
    if actual == expected { return true }
    if !actual.isFinite || !expected.isFinite { return false }
    return abs(actual - expected) <= 1e-9 * max(abs(actual), abs(expected))
}

/// Splits a CSV line whose fields may be quoted (with "" for a quote inside).
private func csvFields(_ line: String) -> [String] {
    var fields: [String] = []
    var field = ""
    var quoted = false
    var characters = Array(line)[...]
    while let c = characters.popFirst() {
        if quoted {
            if c == "\"" {
                if characters.first == "\"" {
                    field.append("\"")
                    characters.removeFirst()
                } else {
                    quoted = false
                }
            } else {
                field.append(c)
            }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            fields.append(field)
            field = ""
        } else {
            field.append(c)
        }
    }
    fields.append(field)
    return fields
}

/// A JSON number as a Double (JSONSerialization reads "12" as an integer).
private func jsonDouble(_ value: Any?) -> Double? {
    if let number = value as? NSNumber { return number.doubleValue }
    return value as? Double
}

private func jsonInt(_ value: Any?) -> Int? {
    if let number = value as? NSNumber { return number.intValue }
    return value as? Int
}

enum OutputScenario: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case tiny, network
    var testDescription: String { rawValue }
    func load() throws -> Scenario {
        switch self {
        case .tiny: try ScenarioLoader.load(directory: BundledSample.tiny)
        // Some capacities unlimited, so "inf" is written and read back too.
        case .network: TestScenarios.network(products: 40, seed: 5)
        }
    }
}

@Test(arguments: OutputScenario.allCases)
func solveOutputFilesHoldTheResultsValues(_ which: OutputScenario) throws {
    let scenario = try which.load()
    let result = Solver().solve(scenario: scenario, limits: SolveLimits(gap: 0.01, maxIterations: 30, timeLimit: 20, threads: 2))
    let directory = NSTemporaryDirectory() + "echelon-output-values-\(getpid())-\(which.rawValue)-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try SolveOutput.write(result, scenario: scenario, to: directory)
    func rows(_ name: String) throws -> [[String]] {
        let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        #expect(text.hasSuffix("\n"), "\(name) does not end in a newline")
        return text.split(separator: "\n").dropFirst().map { csvFields(String($0)) }
    }

    // prices.csv: one row per node, in the scenario's order.
    let prices = try rows("prices.csv")
    #expect(prices.count == scenario.nodes.count)
    #expect(result.nodes.count == scenario.nodes.count)
    for (n, row) in prices.enumerated() where n < scenario.nodes.count {
        let node = scenario.nodes[n], use = result.nodes[n]
        guard row.count == 11 else {
            Issue.record("prices.csv row \(n + 1) has \(row.count) fields: \(row)")
            continue
        }
        #expect(row[0] == node.id)
        #expect(row[1] == node.kind.rawValue)
        let expected: [(String, Double)] = [
            ("storage_price", use.storagePrice), ("outbound_price", use.outboundPrice), ("inbound_price", use.inboundPrice),
            ("storage_used", use.storageUsed), ("storage_capacity", node.storageCapacity),
            ("outbound_used", use.outboundUsed), ("outbound_capacity", node.outboundCapacity),
            ("inbound_used", use.inboundUsed), ("inbound_capacity", node.inboundCapacity),
        ]
        for (k, (column, value)) in expected.enumerated() {
            #expect(close(Double(row[k + 2]), value), "prices.csv \(node.id) \(column): '\(row[k + 2])', expected \(value)")
        }
    }
    // The solve has something to show: some node holds stock.
    #expect(prices.contains { Double($0[5]).map { $0 > 0 } ?? false })
    if which == .network {
        // FC-2 has no outbound limit in network().
        #expect(prices[3][8] == "inf")
    }

    // service.csv: one row per speed.
    let service = try rows("service.csv")
    #expect(service.count == scenario.speeds.count)
    for (s, row) in service.enumerated() where s < scenario.speeds.count {
        guard row.count == 4 else {
            Issue.record("service.csv row \(s + 1) has \(row.count) fields: \(row)")
            continue
        }
        let speed = scenario.speeds[s]
        #expect(row[0] == speed.id)
        #expect(close(Double(row[1]), speed.targetFillRate), "service.csv \(speed.id) target: '\(row[1])'")
        #expect(close(Double(row[2]), result.speeds[s].plannedFillRate), "service.csv \(speed.id) planned: '\(row[2])', expected \(result.speeds[s].plannedFillRate)")
        #expect(close(Double(row[3]), result.speeds[s].price), "service.csv \(speed.id) price: '\(row[3])', expected \(result.speeds[s].price)")
        let planned = try #require(Double(row[2]))
        #expect(planned >= 0 && planned <= 1 + 1e-12)
    }

    // convergence.csv: one row per snapshot, in order.
    let convergence = try rows("convergence.csv")
    #expect(!result.history.isEmpty)
    #expect(convergence.count == result.history.count)
    for (row, snapshot) in zip(convergence, result.history) {
        guard row.count == 7 else {
            Issue.record("convergence.csv row has \(row.count) fields: \(row)")
            continue
        }
        #expect(Int(row[0]) == snapshot.iteration)
        #expect(close(Double(row[1]), snapshot.seconds))
        #expect(close(Double(row[2]), snapshot.dualBound), "iteration \(snapshot.iteration) dual bound '\(row[2])', expected \(snapshot.dualBound)")
        #expect(close(Double(row[3]), snapshot.bestPrimal), "iteration \(snapshot.iteration) primal '\(row[3])', expected \(snapshot.bestPrimal)")
        #expect(close(Double(row[4]), snapshot.gap), "iteration \(snapshot.iteration) gap '\(row[4])', expected \(snapshot.gap)")
        #expect(close(Double(row[5]), snapshot.step))
        #expect(close(Double(row[6]), snapshot.maxViolation))
    }
    // Iterations count up from the first.
    let iterations = convergence.compactMap { Int($0[0]) }
    #expect(iterations == Array(result.history.map(\.iteration)))
    #expect(zip(iterations, iterations.dropFirst()).allSatisfy { $0 < $1 })

    // summary.json: the six cost terms, their total, the bound and the run's counts.
    let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/summary.json"))
    let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let c = result.costs
    let terms: [(String, Double)] = [
        ("purchase", c.purchase), ("inbound_transport", c.inboundTransport), ("holding", c.holding),
        ("outbound_shipping", c.outboundShipping), ("miss_penalty", c.missPenalty), ("transfer", c.transfer),
    ]
    var sum = 0.0
    for (key, value) in terms {
        let written = jsonDouble(summary[key])
        #expect(close(written, value), "summary.json \(key): \(String(describing: summary[key])), expected \(value)")
        sum += written ?? .nan
    }
    #expect(c.purchase > 0)
    #expect(close(jsonDouble(summary["objective"]), c.total))
    #expect(abs(sum - c.total) <= 1e-9 * abs(c.total), "the terms add to \(sum), the objective is \(c.total)")
    #expect(close(jsonDouble(summary["dual_bound"]), result.dualBound))
    #expect(close(jsonDouble(summary["seconds"]), result.seconds))
    if result.gap.isFinite { #expect(close(jsonDouble(summary["gap"]), result.gap)) }
    #expect(jsonInt(summary["threads"]) == result.threads)
    #expect(result.threads == 2)
    #expect(jsonInt(summary["iterations"]) == result.iterations)
    #expect(result.iterations == result.history.count)
    #expect((summary["certified"] as? Bool) == result.certified)
    #expect((summary["stop_reason"] as? String) == result.stopReason.rawValue)
    #expect((summary["scenario"] as? String) == scenario.name)
    #expect((summary["violations"] as? [Any])?.count == result.violations.count)
}
