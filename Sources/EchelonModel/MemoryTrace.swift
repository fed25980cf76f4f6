// Resident memory at phase boundaries, for measuring where a large solve's memory goes (issue 3,
// "1 M products within 4 GB"). Off unless the environment sets ECHELON_MEMORY_TRACE=1; then each
// `mark` prints the current and the peak resident set size to stderr.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum MemoryTrace {
    public static let isEnabled: Bool = {
        guard let value = getenv("ECHELON_MEMORY_TRACE") else { return false }
        return String(cString: value) == "1"
    }()

    /// Monotonic clock, seconds.
    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// When the first mark was made (a lazily initialised static: set once, safely, by whichever thread
    /// marks first).
    private static let firstMark = now()

    /// Prints `memory <phase>: rss … MB, peak … MB, … s` to stderr when tracing is on (the seconds since
    /// the first mark, so the phases' durations can be read too).
    public static func mark(_ phase: String) {
        guard isEnabled else { return }
        let (current, peak) = residentKilobytes()
        let start = firstMark
        let since = now() - start
        let line = "memory \(phase): rss \(current / 1024) MB, peak \(peak / 1024) MB, \((since * 100).rounded() / 100) s\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// VmRSS and VmHWM from /proc/self/status, in kB (0 where not available).
    public static func residentKilobytes() -> (current: Int, peak: Int) {
        guard let status = PlanCSV.readTextFile("/proc/self/status") else { return (0, 0) }
        var current = 0, peak = 0
        for line in status.split(separator: "\n") {
            let value = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
            if line.hasPrefix("VmRSS:") { current = value } else if line.hasPrefix("VmHWM:") { peak = value }
        }
        return (current, peak)
    }
}
