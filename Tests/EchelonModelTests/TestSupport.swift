#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import EchelonModel

/// A fresh empty folder under /tmp, unique per call.
func makeTemporaryDirectory(_ label: String = "echelon-test") -> String {
    var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(made != nil, "mkdtemp failed")
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func removeDirectory(_ path: String) {
    guard let handle = opendir(path) else { return }
    while let entry = readdir(handle) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { unlink(path + "/" + name) }
    }
    closedir(handle)
    rmdir(path)
}

func readText(_ path: String) -> String? {
    var log = DiagnosticLog()
    return CSVTable.readFile(path: path, log: &log).map { String(decoding: $0, as: UTF8.self) }
}

func writeText(_ text: String, to path: String) {
    try! ScenarioWriter.writeAtomically(Array(text.utf8), to: path)
}

func fileNames(in directory: String) -> [String] {
    guard let handle = opendir(directory) else { return [] }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

/// A copy of a sample scenario in a temporary folder, to break in one place per test.
func copyOfSample(_ source: String = BundledSample.tiny) -> String {
    let directory = makeTemporaryDirectory()
    for name in fileNames(in: source) {
        writeText(readText(source + "/" + name)!, to: directory + "/" + name)
    }
    return directory
}

func unlinkFile(_ path: String) { unlink(path) }
