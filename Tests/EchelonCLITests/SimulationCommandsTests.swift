import ArgumentParser
import Testing
@testable import EchelonCLI
@testable import EchelonModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif


@Test func baselineSimulateAndCompareWriteTheirFiles() throws {
    var template = Array("/tmp/echelon-sim-XXXXXX".utf8CString)
    _ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    let root = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    #expect(exitCode(of: ["baseline", "tiny", "--policy", "legacy", "--out", root + "/legacy"]) == 0)
    #expect(exitCode(of: ["baseline", "tiny", "--policy", "national", "--out", root + "/national"]) == 0)
    let quick = ["--days", "60", "--warmup", "30", "--replications", "2"]
    #expect(exitCode(of: ["simulate", "tiny", "--plan", root + "/legacy", "--out", root + "/sim"] + quick) == 0)
    for file in ["simulation.json", "fill_rates.csv", "costs.csv", "nodes.csv"] {
        #expect(PlanCSV.readTextFile(root + "/sim/" + file) != nil, "\(file) missing")
    }
    #expect(exitCode(of: ["compare", "tiny", root + "/legacy", root + "/national", "--out", root + "/cmp"] + quick) == 0)
    let compare = try #require(PlanCSV.readTextFile(root + "/cmp/compare.csv"))
    let lines = compare.split(separator: "\n")
    #expect(lines.first == "plan,metric,value,ci_low,ci_high")
    #expect(lines.contains { $0.hasPrefix("legacy,fill_rate_same_day,") })
    #expect(lines.contains { $0.hasPrefix("national,total_cost_per_day_minus_legacy,") })
    // A damaged plan is refused with status 1 (the message names file, line and field on stderr).
    try PlanCSV.writeFileAtomically(PlanCSV.planHeader.joined(separator: ",") + "\nT1,NOWHERE,PACIFIC,3,0,0,0,0\n", to: root + "/legacy/plan.csv")
    #expect(exitCode(of: ["simulate", "tiny", "--plan", root + "/legacy", "--out", root + "/sim2"] + quick) == 1)
    _ = system("rm -rf '\(root)'")
}
