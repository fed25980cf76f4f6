// Maps field text (raw UTF-8 bytes) to an index without making a String or running the standard
// library's seeded SipHash per lookup: with a million product rows, that work was a quarter of the
// load time. Open addressing over an FNV-1a hash, keys kept back to back in one byte array.

struct FieldIndex {
    private var keyBytes: [UInt8] = []
    /// End offset in `keyBytes` of each key; a key starts where the previous one ends.
    private var keyEnds: [Int] = []
    private var values: [Int32] = []
    /// Entry number + 1 per slot; 0 = empty. The count is a power of two, at most half full.
    private var slots: [Int32]

    init(expectedCount: Int = 16) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity *= 2 }
        slots = [Int32](repeating: 0, count: capacity)
        keyEnds.reserveCapacity(expectedCount)
        values.reserveCapacity(expectedCount)
    }

    init<S: Sequence>(keys: S) where S.Element == String {
        self.init()
        for (k, key) in keys.enumerated() {
            var bytes = Array(key.utf8)
            _ = bytes.withUnsafeMutableBufferPointer { insert(UnsafeBufferPointer($0), value: Int32(k)) }
        }
    }

    var count: Int { values.count }

    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        // FNV's low bits are poor for ids that differ only in their last digits, and the slot is
        // taken from the low bits: mix them (MurmurHash3's finaliser).
        hash = (hash ^ (hash >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        hash = (hash ^ (hash >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 33)
    }

    private func keyEquals(_ entry: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = entry == 0 ? 0 : keyEnds[entry - 1]
        let end = keyEnds[entry]
        guard end - start == key.count else { return false }
        return keyBytes.withUnsafeBufferPointer { stored in
            var k = 0
            while k < key.count {
                if stored[start + k] != key[k] { return false }
                k += 1
            }
            return true
        }
    }

    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if keyEquals(entry - 1, key) { return values[entry - 1] }
            slot = (slot + 1) & mask
        }
    }

    /// Adds `key` with `value`, or returns the value already stored for it (and changes nothing).
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: Int32) -> Int32? {
        if let existing = find(key) { return existing }
        if (values.count + 1) * 2 > slots.count { grow() }
        keyBytes.append(contentsOf: key)
        keyEnds.append(keyBytes.count)
        values.append(value)
        place(values.count - 1, hash: Self.hash(key))
        return nil
    }

    private mutating func place(_ entry: Int, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry + 1)
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        for entry in values.indices {
            let start = entry == 0 ? 0 : keyEnds[entry - 1]
            let hash = keyBytes.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[start..<keyEnds[entry]])) }
            place(entry, hash: hash)
        }
    }
}

extension CSVTable {
    /// Calls `body` with a field's raw bytes (valid only inside `body`).
    func withBytes<Result>(_ row: Int, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let r = fieldRange(row, column)
        return withStorage { body(UnsafeBufferPointer(rebasing: $0[r])) }
    }
}
