import EchelonModel

/// Per-product lookups the node and product tables use on every sort and keystroke, built once per
/// scenario: comparing ranks and searching bytes is what keeps 100 000-row tables responsive.
public struct ProductSearch: Sendable {
    /// Position of each product in id order.
    public let rank: [Int32]
    /// Lower-cased UTF-8 of each product id.
    let keys: [[UInt8]]
    /// Position of each vendor in id order.
    public let vendorRank: [Int32]
    let vendorKeys: [[UInt8]]

    public init(_ scenario: Scenario) {
        func ranks(_ ids: [String]) -> [Int32] {
            var rank = [Int32](repeating: 0, count: ids.count)
            for (r, i) in ids.indices.sorted(by: { ids[$0] < ids[$1] }).enumerated() { rank[i] = Int32(r) }
            return rank
        }
        let productIDs = scenario.products.map(\.id)
        rank = ranks(productIDs)
        keys = productIDs.map { Array($0.lowercased().utf8) }
        let vendorIDs = scenario.vendors.map(\.id)
        vendorRank = ranks(vendorIDs)
        vendorKeys = vendorIDs.map { Array($0.lowercased().utf8) }
    }

    /// The filter text as the search compares it.
    static func needle(_ filter: String) -> [UInt8] { Array(filter.lowercased().utf8) }

    func productMatches(_ product: Int, _ needle: [UInt8]) -> Bool { Self.contains(keys[product], needle) }
    func vendorMatches(_ vendor: Int, _ needle: [UInt8]) -> Bool { Self.contains(vendorKeys[vendor], needle) }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { n in
                let first = n[0]
                for start in 0...(h.count - n.count) where h[start] == first {
                    var k = 1
                    while k < n.count && h[start + k] == n[k] { k += 1 }
                    if k == n.count { return true }
                }
                return false
            }
        }
    }
}
