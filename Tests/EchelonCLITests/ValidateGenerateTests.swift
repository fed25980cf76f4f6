import ArgumentParser
import Testing
@testable import EchelonCLI
@testable import EchelonModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func temporaryDirectory() -> String {
    var template = Array("/tmp/echelon-cli-XXXXXX".utf8CString)
    _ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

private func removeTree(_ path: String) {
    if let handle = opendir(path) {
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { unlink(path + "/" + name) }
        }
        closedir(handle)
    }
    rmdir(path)
}


@Test func validateAcceptsTheBundledSamples() {
    #expect(exitCode(of: ["validate", BundledSample.tiny]) == 0)
    #expect(exitCode(of: ["validate", "tiny"]) == 0)
    #expect(exitCode(of: ["validate"]) == 0)  // the US network
}

@Test func validateFailsWithStatusOneOnBadInput() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    try ScenarioWriter.write(ScenarioGenerator(products: 5, seed: 1).makeScenario(), to: directory)
    try ScenarioWriter.writeAtomically(Array("id,category\n".utf8), to: directory + "/products.csv")
    #expect(exitCode(of: ["validate", directory]) == 1)
    #expect(exitCode(of: ["validate", directory + "/no-such"]) == 1)
}

@Test func diagnosticsPrintOneLineEachThenTheCount() {
    let text = ScenarioLocation.report([
        Diagnostic(file: "s/nodes.csv", line: 3, field: "kind", message: "'X' is not one of DC, FC, NSFC, SSD"),
        Diagnostic(file: "s/products.csv", line: 0, field: "", message: "file not found"),
    ])
    #expect(text == "s/nodes.csv:3: kind: 'X' is not one of DC, FC, NSFC, SSD\ns/products.csv: file not found\n2 problems found\n")
}

@Test func scenarioLocationDefaultsToTheBundledSamples() {
    #expect(ScenarioLocation.resolve(nil) == BundledSample.usNetwork)
    #expect(ScenarioLocation.resolve("tiny") == BundledSample.tiny)
    #expect(ScenarioLocation.resolve("/some/where") == "/some/where")
}

@Test func generateWritesALoadableDeterministicScenario() throws {
    let parent = temporaryDirectory()
    let directory = parent + "/generated"
    defer {
        removeTree(directory)
        removeTree(parent)
    }
    #expect(exitCode(of: ["generate", "--products", "40", "--seed", "9", "--out", directory]) == 0)
    let loaded = try ScenarioLoader.load(directory: directory)
    let expected = ScenarioGenerator(products: 40, seed: 9).makeScenario()
    #expect(loaded.products.map(\.id) == expected.products.map(\.id))
    #expect(loaded.products.map(\.demandMean) == expected.products.map(\.demandMean))
    #expect(loaded.nodes == expected.nodes)
    // Writing again over a scenario folder is allowed.
    #expect(exitCode(of: ["generate", "--products", "41", "--seed", "9", "--out", directory]) == 0)
    #expect(try ScenarioLoader.load(directory: directory).products.count == 41)
}

@Test func generateRefusesAFolderOfOtherFiles() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    try ScenarioWriter.writeAtomically(Array("precious".utf8), to: directory + "/thesis.txt")
    #expect(exitCode(of: ["generate", "--products", "10", "--out", directory]) == 1)
    var info = stat()
    #expect(stat(directory + "/products.csv", &info) != 0)
}

@Test func generateRejectsANonPositiveProductCount() {
    #expect(throws: (any Error).self) { try Echelon.parseAsRoot(["generate", "--products", "0", "--out", "/tmp/x"]) }
}

/// A bench whose --cut-node names no node of the scenario is refused (before its cold solve, which takes
/// minutes at 100 k products).
@Test func benchRefusesAnUnknownCutNode() throws {
    #expect(exitCode(of: ["bench", "--scenario", "tiny", "--cut-node", "NO-SUCH-NODE", "--sim-replications", "0"]) == nil)
}

/// The benchmark's warm re-solve can close its node instead of cutting its storage (closing SSD-DAL leaves a
/// target out of reach: the run still completes).
@Test func benchClosesTheCutNodeWhenAsked() throws {
    #expect(exitCode(of: ["bench", "--scenario", "tiny", "--cut-node", "SSD-DAL", "--close-node", "--sim-replications", "0", "--json"]) == 0)
}

/// `echelon solve` with every flag: the five files, the flags honoured (threads, iteration cap, the what-if's
/// capacity in prices.csv), a bad what-if refused with status 1, and a target no plan can meet (SSD-DAL closed
/// leaves Dallas's same-day orders no node) with status 2 and its reachable share in summary.json.
@Test func solveWritesEveryFileAndHonoursItsFlags() throws {
    let root = temporaryDirectory()
    defer { _ = system("rm -rf '\(root)'") }
    let whatIf = root + "/cut.toml"
    try PlanCSV.writeFileAtomically("[[change]]\ntype = \"capacity\"\nnode = \"FC-HOU\"\nstorage = 500\n", to: whatIf)
    let flags = ["--gap", "0.01", "--max-iterations", "5", "--time-limit", "30", "--threads", "2"]
    #expect(exitCode(of: ["solve", "tiny", "--out", root + "/plan", "--what-if", whatIf] + flags) == 0)
    for file in ["plan.csv", "prices.csv", "service.csv", "convergence.csv", "summary.json"] {
        #expect(PlanCSV.readTextFile(root + "/plan/" + file) != nil, "\(file) missing")
    }
    let summary = try #require(PlanCSV.readTextFile(root + "/plan/summary.json"))
    #expect(summary.contains("\"threads\": 2,"))
    #expect(summary.contains("\"violations\": []"))
    let iterations = summary.split(separator: "\n").first { $0.contains("\"iterations\"") }
    let count = iterations.flatMap { Int($0.filter(\.isNumber)) }
    #expect(count != nil && count! >= 1 && count! <= 5, "\(iterations ?? "no iterations")")
    let prices = try #require(PlanCSV.readTextFile(root + "/plan/prices.csv"))
    let hou = prices.split(separator: "\n").first { $0.hasPrefix("FC-HOU,") }?.split(separator: ",", omittingEmptySubsequences: false)
    #expect(hou.map { Double(String($0[6])) } == 500, "\(hou.map { $0.joined(separator: ",") } ?? "no FC-HOU row")")

    try PlanCSV.writeFileAtomically("[[change]]\ntype = \"close_node\"\nnode = \"FC-NOWHERE\"\n", to: whatIf)
    #expect(exitCode(of: ["solve", "tiny", "--out", root + "/bad", "--what-if", whatIf]) == 1)
    #expect(PlanCSV.readTextFile(root + "/bad/summary.json") == nil)

    try PlanCSV.writeFileAtomically("[[change]]\ntype = \"close_node\"\nnode = \"SSD-DAL\"\n", to: whatIf)
    #expect(exitCode(of: ["solve", "tiny", "--out", root + "/closed", "--what-if", whatIf] + flags) == 2)
    let closed = try #require(PlanCSV.readTextFile(root + "/closed/summary.json"))
    let violations = closed.split(separator: "\n").filter { $0.contains("\"constraint\"") }
    #expect(violations.count == 1 && violations[0].contains("\"speed\": \"same_day\""), "\(closed)")
    // By hand: same-day demand is Dallas 10 × 0.15 = 1.5 (metro products) and Houston 1.5 + T5's 2 × 0.5 = 2.5;
    // without SSD-DAL no node keeps Dallas's promise (DC-DAL's same-day cut-off is 0), and FC-HOU takes
    // Houston's orders before 22:00, 94.4 % of them (arrivals.csv).
    let reachable = violations.first.flatMap { line in
        line.range(of: "\"reachable\": ").flatMap { Double(line[$0.upperBound...].prefix { $0 != "}" }) }
    }
    #expect(reachable.map { abs($0 - 2.5 * 0.944 / 4.0) < 1e-12 } == true, "\(reachable.map(String.init(describing:)) ?? "none")")
}
