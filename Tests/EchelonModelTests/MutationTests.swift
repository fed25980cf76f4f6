import Testing
@testable import EchelonModel

// Deterministic random damage to the tiny sample's files: the loader must never trap or hang, and
// whatever it reports must point into the scenario's own files with a sane line number.

@Test func randomlyDamagedScenariosAreReportedNeverCrash() {
    let source = BundledSample.tiny
    let names = fileNames(in: source)
    let originals = names.map { Array(readText(source + "/" + $0)!.utf8) }
    let directory = copyOfSample()
    defer { removeDirectory(directory) }
    var random = SplitMix64(seed: 42)
    let junk: [UInt8] = Array(",\"\r\n;\t -.eE9nan\u{FEFF}\u{00}x".utf8)
    var reported = 0
    for _ in 0..<150 {
        let f = Int(random.uniform() * Double(names.count))
        var bytes = originals[f]
        for _ in 0..<(1 + Int(random.uniform() * 3)) {
            let at = Int(random.uniform() * Double(bytes.count + 1))
            switch Int(random.uniform() * 4) {
            case 0:
                let length = min(bytes.count - at, Int(random.uniform() * 12))
                bytes.removeSubrange(at..<at + length)
            case 1:
                bytes.insert(junk[Int(random.uniform() * Double(junk.count))], at: at)
            case 2:
                bytes.insert(contentsOf: bytes[at...].prefix { $0 != 0x0A } + [0x0A], at: at)
            default:
                if at < bytes.count { bytes[at] = junk[Int(random.uniform() * Double(junk.count))] }
            }
        }
        try! ScenarioWriter.writeAtomically(bytes, to: directory + "/" + names[f])
        do {
            _ = try ScenarioLoader.load(directory: directory)
        } catch let error as ScenarioError {
            reported += 1
            #expect(!error.diagnostics.isEmpty)
            for diagnostic in error.diagnostics {
                #expect(diagnostic.file.hasPrefix(directory + "/"), "\(diagnostic)")
                #expect(diagnostic.line >= 0 && diagnostic.line <= originals[f].count + 400, "\(diagnostic)")
            }
        } catch {
            Issue.record("unexpected error \(error)")
        }
        try! ScenarioWriter.writeAtomically(originals[f], to: directory + "/" + names[f])
    }
    // Most damage is caught (some, like a changed digit in a coordinate, is still valid input).
    #expect(reported > 60)
}
