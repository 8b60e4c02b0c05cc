import Foundation
import LocustRunner
import LocustStats
import NIOCore
import Synchronization

/// Ready-to-send `stats` frames. A report is built by recording the synthetic requests of a slave's
/// users over one statistics interval into a `RequestStats` and taking `snapshotAndReset()`, exactly
/// as a slave makes its delta; the snapshot is encoded once and then sent, for up to `maxAge` (1 s by
/// default), by every slave that reports in that time, each with its own `userCount`.
///
/// Sharing matters: with 50 request names, recording a report's samples into fresh histograms and
/// encoding it costs ~25 ms of CPU (see `--codec-benchmark`), far more than one core affords for
/// 1000 slaves that report every 3 s. With `maxAge` 0 (`--unique-reports`) every report is built
/// for its slave alone.
final class ReportCache: Sendable {
    struct Report: Sendable {
        /// The payload up to `"userCount":`; the slave's count and the closing braces follow.
        let head: ByteBuffer?
        /// The delta, encoded for each slave when the payload could not be split.
        let snapshot: StatsSnapshot
        /// Requests in the report (its aggregated entry's count).
        let requests: Int
        let builtAt: ContinuousClock.Instant

        /// The frame for a slave running `users` users.
        func frame(users: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
            guard let head else {
                let message = ClusterMessage.stats(.init(snapshot: snapshot, userCount: users))
                return (try? message.frame(allocator: allocator)) ?? allocator.buffer(capacity: 0)
            }
            let tail = Array("\(users)}}".utf8)
            var buffer = allocator.buffer(capacity: 4 + head.readableBytes + tail.count)
            buffer.writeInteger(UInt32(head.readableBytes + tail.count))
            buffer.writeImmutableBuffer(head)
            buffer.writeBytes(tail)
            return buffer
        }
    }

    private struct Slot {
        var stats: RequestStats
        var report: Report?
    }

    private struct State {
        /// By user count: 0 (empty deltas), 1, 2-3, 4-7, 8-15, …
        var slots: [Int: Slot] = [:]
        var rng: SplitMix64
        var built = 0
    }

    private static let marker = 987_654_321
    private let traffic: SyntheticTraffic
    private let maxAge: Duration
    private let state: Mutex<State>
    private let allocator = ByteBufferAllocator()

    init(traffic: SyntheticTraffic, maxAge: Duration, seed: UInt64) {
        self.traffic = traffic
        self.maxAge = maxAge
        state = Mutex(State(rng: SplitMix64(seed: seed)))
    }

    /// Reports built so far.
    var built: Int { state.withLock { $0.built } }

    /// A `stats` frame for a slave running `users` users, and the requests in it: from a report built
    /// less than `maxAge` ago for a slave with a user count of the same power of two (so the number
    /// of requests stays within a factor of 2 of this slave's), else a fresh one holding the requests
    /// of `users` users.
    func frame(users: Int) -> (frame: ByteBuffer, requests: Int) {
        let report = state.withLock { state -> Report in
            let now = ContinuousClock.now
            let key = Int.bitWidth - max(0, users).leadingZeroBitCount
            var slot = state.slots[key] ?? Slot(stats: RequestStats(startTime: Date().timeIntervalSince1970 - ClusterProtocol.statsInterval))
            if let report = slot.report, report.builtAt.duration(to: now) < maxAge { return report }
            let end = Date().timeIntervalSince1970
            traffic.record(
                into: slot.stats, users: users, from: end - ClusterProtocol.statsInterval, to: end, rng: &state.rng)
            let snapshot = slot.stats.snapshotAndReset()
            let report = Self.encode(snapshot, builtAt: now, allocator: allocator)
            slot.report = report
            state.slots[key] = slot
            state.built += 1
            return report
        }
        return (report.frame(users: users, allocator: allocator), report.requests)
    }

    /// Encodes the message once with a marker user count and keeps the bytes before the count, so
    /// each slave's frame is those bytes plus its own count: the same bytes `ClusterMessage` encodes.
    private static func encode(_ snapshot: StatsSnapshot, builtAt: ContinuousClock.Instant, allocator: ByteBufferAllocator) -> Report {
        let payload = (try? ClusterMessage.stats(.init(snapshot: snapshot, userCount: marker)).payload()) ?? Data()
        let suffix = Data("\"userCount\":\(marker)}}".utf8)
        if payload.count > suffix.count, payload.suffix(suffix.count).elementsEqual(suffix) {
            let head = payload.prefix(payload.count - suffix.count) + Data("\"userCount\":".utf8)
            return Report(head: allocator.buffer(bytes: head), snapshot: snapshot, requests: snapshot.total.numRequests, builtAt: builtAt)
        }
        // Another key order (not expected from JSONEncoder): encode for each slave.
        return Report(head: nil, snapshot: snapshot, requests: snapshot.total.numRequests, builtAt: builtAt)
    }
}
