// Large zeroed mappings released by solver buffers, kept for the next solve's buffers of the same size.
//
// On this virtual machine a page the process has not touched for a couple of seconds is handed back to
// the host once freed, and touching fresh memory again runs at 0.45–0.75 GB/s with huge pages (2–3 GB/s
// in 4 kB pages); memory the process still holds is zeroed at about 65 GB/s. A warm re-solve at 100 k
// products wrote its column pool (four columns of 72 MB) into fresh memory, sparsely, and spent about
// 0.37 processor-seconds of its 5 in the kernel zeroing pages. Kept here, the last solve's mappings
// serve the next one's (a what-if keeps every size), zeroed where they are resident: 0.19 s left, the
// memory the re-solve holds beside the last solve's results. The price is resident memory kept between
// solves: the 100 k bench's three solves peak at 1 013 MB instead of 806; a 1 M solve at 2 073 MB
// instead of 2 059.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class RetainedMappings: @unchecked Sendable {
    static let shared = RetainedMappings(budgetBytes: RetainedMappings.defaultBudgetBytes)

    /// The most kept at once. (At 1 M products the stores' buffers are 100–200 MB each and the process peaks
    /// at about 2 GB; what is kept counts in the resident size until the next solve takes it.)
    static let defaultBudgetBytes = 768 << 20

    let budgetBytes: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Each with the order it was released in.
    private var kept: [(base: UnsafeMutableRawPointer, bytes: Int, order: Int)] = []
    private var keptBytes = 0
    private var released = 0

    init(budgetBytes: Int) {
        self.budgetBytes = budgetBytes
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        for mapping in kept { munmap(mapping.base, mapping.bytes) }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Mappings and bytes kept now.
    var contents: (mappings: Int, bytes: Int) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return (kept.count, keptBytes)
    }

    /// The smallest kept mapping of at least `bytes` and at most a quarter more, taken out of the cache.
    /// Its contents are whatever its last buffer left: the caller zeroes what it uses (`zero`).
    func take(bytes: Int) -> (base: UnsafeMutableRawPointer, bytes: Int)? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        var best: Int? = nil
        for (k, mapping) in kept.enumerated() where mapping.bytes >= bytes && mapping.bytes <= bytes + bytes / 4 {
            if best.map({ mapping.bytes < kept[$0].bytes }) ?? true { best = k }
        }
        guard let k = best else { return nil }
        keptBytes -= kept[k].bytes
        let taken = kept.remove(at: k)
        return (taken.base, taken.bytes)
    }

    /// Keeps a released mapping if it fits the budget; false when the caller must unmap it.
    func give(base: UnsafeMutableRawPointer, bytes: Int) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard keptBytes + bytes <= budgetBytes else { return false }
        released += 1
        kept.append((base, bytes, released))
        keptBytes += bytes
        return true
    }

    /// A mark of what was released so far, for `unmap(releasedBefore:)`.
    func mark() -> Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return released
    }

    /// Unmaps what was released before `mark` and is still kept. A solve calls it when its master is done,
    /// with the mark of its start: what the master did not take, no solve of the same scenario will, and
    /// only what it released itself stays for the next.
    func unmap(releasedBefore mark: Int) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        kept.removeAll { mapping in
            guard mapping.order <= mark else { return false }
            munmap(mapping.base, mapping.bytes)
            keptBytes -= mapping.bytes
            return true
        }
    }

    /// Zeroes `bytes` from page-aligned `start`: the resident pages are cleared, the others dropped
    /// (`MADV_DONTNEED`: an anonymous private page comes back zeroed when next touched), so that pages
    /// the last buffer never touched are not faulted in only to be cleared.
    static func zero(_ start: UnsafeMutableRawPointer, bytes: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = (bytes + page - 1) / page
        var resident = [UInt8](repeating: 1, count: pages)
        #if os(Linux)
        let known = mincore(start, bytes, &resident) == 0
        #else
        let known = false
        #endif
        guard known else {
            memset(start, 0, bytes)
            return
        }
        var first = 0
        while first < pages {
            let isResident = resident[first] & 1 != 0
            var end = first + 1
            while end < pages && (resident[end] & 1 != 0) == isResident { end += 1 }
            let from = start + first * page
            let length = min(bytes, end * page) - first * page
            if isResident {
                memset(from, 0, length)
            } else {
                #if os(Linux)
                // A whole page or more: the run ends on a page boundary or at the end of the mapping's use.
                _ = madvise(from, (length + page - 1) / page * page, MADV_DONTNEED)
                #endif
            }
            first = end
        }
    }
}
