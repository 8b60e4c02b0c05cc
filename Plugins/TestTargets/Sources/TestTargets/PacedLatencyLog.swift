import Glibc
import Synchronization

/// Latency histograms per wall-clock second for ``Paced10User``, for bench/many-connections.py: only when
/// the environment names a file in `TESTTARGETS_LATENCY_LOG`, written when the process exits.
///
/// Three distributions, in microseconds: `elapsed`, the response time the runner records (libcurl's
/// total time); `task`, the time the task awaited its request (`elapsed` plus the engine's own hand-offs
/// before and after the transfer); `late`, how much later than 10 s after its previous task a user's task
/// started (the engine's wake-up lateness, 0 when on time). Each second's histogram is kept apart, so the
/// script can sum exactly the seconds of its measuring window, as it does for nginx's access log.
/// The buckets are 1 µs wide below 1,024 µs and 1/32 of an octave above; 7.7 MiB, allocated at first use
/// and touched only where values fall.
enum PacedLatencyLog {
    static let kinds = ["elapsed", "task", "late"]
    static let buckets = 1600
    static let slots = 400
    static let path: String? = getenv("TESTTARGETS_LATENCY_LOG").map { String(cString: $0) }

    struct State {
        var counts: [UInt32]
        var second: [Int]
    }

    final class Store: Sendable {
        let mutex = Mutex(State(counts: [UInt32](repeating: 0, count: slots * kinds.count * buckets),
                                second: [Int](repeating: -1, count: slots)))
    }

    static let state: Store? = {
        guard path != nil else { return nil }
        atexit { PacedLatencyLog.write() }
        return Store()
    }()

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func bucket(_ microseconds: UInt64) -> Int {
        if microseconds < 1024 { return Int(microseconds) }
        let octave = 63 - microseconds.leadingZeroBitCount
        let sub = Int((microseconds >> UInt64(octave - 5)) & 31)
        return Swift.min(1024 + (octave - 10) * 32 + sub, buckets - 1)
    }

    /// The middle of a bucket, in microseconds.
    static func value(_ bucket: Int) -> Double {
        if bucket < 1024 { return Double(bucket) }
        let octave = (bucket - 1024) / 32 + 10, sub = (bucket - 1024) % 32
        let width = 1 << (octave - 5)
        return Double((1 << octave) + sub * width) + Double(width) / 2
    }

    /// Records one request; `values` in microseconds, in the order of ``kinds``.
    static func record(_ values: [UInt64]) {
        guard let state else { return }
        let now = time(nil)
        let slot = now % slots
        state.mutex.withLock { s in
            if s.second[slot] != now {
                s.second[slot] = now
                let base = slot * kinds.count * buckets
                for i in base..<(base + kinds.count * buckets) { s.counts[i] = 0 }
            }
            for (kind, v) in values.enumerated() {
                s.counts[(slot * kinds.count + kind) * buckets + bucket(v)] &+= 1
            }
        }
    }

    /// Writes `KIND SECOND MICROSECONDS COUNT` lines, nonzero buckets only.
    static func write() {
        guard let path, let state, let file = fopen(path, "w") else { return }
        state.mutex.withLock { s in
            for slot in 0..<slots where s.second[slot] >= 0 {
                for kind in 0..<kinds.count {
                    let base = (slot * kinds.count + kind) * buckets
                    for b in 0..<buckets where s.counts[base + b] != 0 {
                        fputs("\(kinds[kind]) \(s.second[slot]) \(value(b)) \(s.counts[base + b])\n", file)
                    }
                }
            }
        }
        fclose(file)
    }
}
