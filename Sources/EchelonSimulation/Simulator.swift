// Runs replications in parallel. Each replication's random streams depend only on (seed, replication,
// product, purpose), and results are gathered by replication index, so the output is the same on any
// number of threads.

import Dispatch
import EchelonModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct SimulationSettings: Sendable, Hashable {
    /// Days measured, after the warm-up.
    public var days: Int
    /// Days played first and not measured, so the pipelines fill.
    public var warmupDays: Int
    public var replications: Int
    public var seed: UInt64
    /// Worker threads; 0 means every core.
    public var threads: Int

    public init(days: Int = 365, warmupDays: Int = 60, replications: Int = 10, seed: UInt64 = 1, threads: Int = 0) {
        self.days = days
        self.warmupDays = warmupDays
        self.replications = replications
        self.seed = seed
        self.threads = threads
    }

    /// A warm-up long enough for the longest replenishment path of `network` to fill twice over.
    public static func suggestedWarmup(for network: SimulationNetwork) -> Int {
        var longest = 0.0
        for i in 0..<network.positionCount {
            var total = 0.0
            var position = i
            while position >= 0 {
                total += network.vendorLeadMean[position] + 2 * network.vendorLeadStd[position]
                total += network.transitMean[position] + 2 * network.transitStd[position]
                position = Int(network.supplier[position])
            }
            longest = max(longest, total)
        }
        return max(14, Int((2 * longest).rounded(.up)))
    }
}

/// A lock-protected box for results written from worker threads.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private var values: [Value?]
    private let lock = NSLockLite()
    init(count: Int) { values = [Value?](repeating: nil, count: count) }
    func set(_ index: Int, _ value: Value) {
        lock.withLock { values[index] = value }
    }
    func all() -> [Value] { lock.withLock { values.map { $0! } } }
}

/// A pthread mutex, to avoid pulling Foundation into the hot module.
final class NSLockLite: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

public enum Simulator {
    /// Cores available to this process.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Plays every replication of one plan.
    public static func run(_ network: SimulationNetwork, settings: SimulationSettings) -> [ReplicationResult] {
        runMany([network], settings: settings)[0]
    }

    /// Plays several plans under common random numbers: replication r of every plan sees the same demand.
    public static func runMany(_ networks: [SimulationNetwork], settings: SimulationSettings) -> [[ReplicationResult]] {
        let replications = max(1, settings.replications)
        let jobs = networks.count * replications
        let threads = max(1, min(settings.threads > 0 ? settings.threads : coreCount, jobs))
        let slots = ResultSlots<ReplicationResult>(count: jobs)
        let next = JobCounter()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while true {
                let job = next.take()
                if job >= jobs { break }
                let planIndex = job / replications
                let replication = job % replications
                var run = ReplicationRun(network: networks[planIndex], settings: settings, replication: replication)
                slots.set(job, run.run())
            }
        }
        let all = slots.all()
        return (0..<networks.count).map { Array(all[($0 * replications)..<(($0 + 1) * replications)]) }
    }
}

/// Hands out job numbers to worker threads.
final class JobCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLockLite()
    func take() -> Int {
        lock.withLock {
            defer { value += 1 }
            return value
        }
    }
}
