import Testing
@testable import EchelonModel

@Test func fieldIndexFindsWhatADictionaryFinds() {
    var index = FieldIndex()
    var reference: [String: Int32] = [:]
    // Many keys (forcing growth), similar keys, an empty key, and repeated inserts.
    let keys = (0..<20_000).map { "P\($0 % 15_000)" } + ["", "P", "PP", "Électronique, petit"]
    for key in keys {
        var bytes = Array(key.utf8)
        let existing = bytes.withUnsafeMutableBufferPointer { index.insert(UnsafeBufferPointer($0), value: Int32(reference.count)) }
        #expect(existing == reference[key])
        if reference[key] == nil { reference[key] = Int32(reference.count) }
    }
    #expect(index.count == reference.count)
    for key in reference.keys.sorted() + ["P15000", "Q1", "P00"] {
        var bytes = Array(key.utf8)
        let found = bytes.withUnsafeMutableBufferPointer { index.find(UnsafeBufferPointer($0)) }
        #expect(found == reference[key], "\(key)")
    }
}
