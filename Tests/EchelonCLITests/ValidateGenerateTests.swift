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
