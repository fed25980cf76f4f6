import Foundation
import Testing
@testable import EchelonCore

// Linux only: elsewhere large buffers are not mapped (`SharedBuffer.mapHugePages`), and mincore's
// signature differs.
#if os(Linux)
import Glibc

/// A fresh anonymous mapping of `bytes`, for the cache to keep or hand out.
private func anonymousMapping(_ bytes: Int) -> UnsafeMutableRawPointer {
    mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
}

/// A large buffer released by one solve serves the next buffer of its size, and that buffer reads
/// zeros everywhere: on the pages the last one wrote and on those it never touched.
@Test func aReleasedLargeBufferServesTheNextOfItsSizeZeroed() {
    // An odd size (about 79 MB) that no other test's buffers come near, so that no other test takes it.
    let count = 9_876_543
    var first: SharedBuffer<Double>? = SharedBuffer(repeating: 0, count: count)
    let address = first!.pointer
    // Every 1 000th element of the first half (every other 4 kB page) and the last few; the rest untouched.
    for i in stride(from: 0, to: count / 2, by: 1_000) { first![i] = Double(i) + 0.5 }
    for i in (count - 10)..<count { first![i] = -1 }
    first = nil
    let second = SharedBuffer<Double>(repeating: 0, count: count)
    #expect(second.pointer == address)
    var nonZero = 0
    for i in 0..<count where second[i] != 0 { nonZero += 1 }
    #expect(nonZero == 0)
}

/// Zeroing a mapping clears what was written and leaves what was never touched zero without
/// touching it (it stays out of memory).
@Test func zeroingClearsWrittenPagesAndLeavesUntouchedOnesOut() throws {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let pages = 64
    let bytes = pages * page
    let base = try #require(mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
    #expect(base != MAP_FAILED)
    defer { munmap(base, bytes) }
    // Written: pages 0–9 and 30; never touched: the rest.
    for p in Array(0..<10) + [30] { (base + p * page + 17).storeBytes(of: UInt8(0xAB), as: UInt8.self) }
    // Only part of the last page is the buffer's: a length that is not a whole number of pages.
    RetainedMappings.zero(base, bytes: bytes - 100)
    var resident = [UInt8](repeating: 0, count: pages)
    #expect(mincore(base, bytes, &resident) == 0)
    // The written pages were cleared in place; the untouched ones were not faulted in by the zeroing.
    let written = Set(Array(0..<10) + [30])
    #expect((0..<pages).allSatisfy { (resident[$0] & 1 == 1) == written.contains($0) })
    let bytesView = base.assumingMemoryBound(to: UInt8.self)
    #expect((0..<(bytes - 100)).allSatisfy { bytesView[$0] == 0 })
}

/// The cache keeps released mappings up to its budget and hands out only one of the right size: at
/// least the bytes asked for and at most a quarter more, the smallest such.
@Test func theCacheKeepsToItsBudgetAndHandsOutTheClosestSize() {
    let cache = RetainedMappings(budgetBytes: 10 << 20)
    let four = anonymousMapping(4 << 20), five = anonymousMapping(5 << 20), two = anonymousMapping(2 << 20)
    #expect(cache.give(base: four, bytes: 4 << 20))
    #expect(cache.give(base: five, bytes: 5 << 20))
    // 9 MB kept: 2 MB more would pass the 10 MB budget.
    #expect(!cache.give(base: two, bytes: 2 << 20))
    munmap(two, 2 << 20)
    #expect(cache.contents.mappings == 2 && cache.contents.bytes == 9 << 20)
    // 3 MB: 4 MB is a third more, too large. 4.5 MB: only 5 MB fits. 4 MB: the 4 MB one, not the 5.
    #expect(cache.take(bytes: 3 << 20) == nil)
    #expect(cache.take(bytes: 4 << 20)?.base == four)
    #expect(cache.take(bytes: (4 << 20) + (512 << 10))?.base == five)
    #expect(cache.contents.mappings == 0 && cache.contents.bytes == 0)
    munmap(four, 4 << 20)
    munmap(five, 5 << 20)
}

/// What was released before a mark is unmapped at the end of the solve that took the mark; what was
/// released after it stays for the next solve.
@Test func mappingsReleasedBeforeASolvesStartAreUnmappedAtItsEnd() {
    let cache = RetainedMappings(budgetBytes: 64 << 20)
    let older = anonymousMapping(4 << 20)
    #expect(cache.give(base: older, bytes: 4 << 20))
    let mark = cache.mark()
    let newer = anonymousMapping(8 << 20)
    #expect(cache.give(base: newer, bytes: 8 << 20))
    cache.unmap(releasedBefore: mark)
    #expect(cache.contents.mappings == 1 && cache.contents.bytes == 8 << 20)
    #expect(cache.take(bytes: 4 << 20) == nil)
    #expect(cache.take(bytes: 8 << 20)?.base == newer)
    munmap(newer, 8 << 20)
}
#endif
