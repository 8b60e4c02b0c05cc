import Foundation
import LocustRunner
import LocustStats
import Synchronization

/// Ready-to-send `stats` payloads. A report is built by recording the synthetic requests of a slave's
/// users over one statistics interval into a `RequestStats` and taking `snapshotAndReset()`, exactly
/// as a slave makes its delta; it is then sent, for up to `maxAge` (1 s by default), by every slave
/// that reports in that time, each with its own user counts and node id.
///
/// The payload is `ClusterMessageCodec.encode(.stats(...), nodeID:)`: MessagePack with Locust's
/// payload plus our exact snapshot. A report is encoded once per test, with no user counts and no
/// node id, and cut around its `user_classes_count`/`user_count` pairs; a slave's payload is the
/// part before them, its own pairs (as the codec writes them in `spawning_complete`), the part after
/// them without the final nil (the missing node id), and its node id as a MessagePack string. The
/// first payload spliced from each encoding is compared with the codec's full `encode`.
///
/// Sharing matters: with 50 request names, recording a report's samples into fresh histograms and
/// encoding it costs milliseconds of CPU (see `--codec-benchmark`), and the master gives the slaves
/// different class mixes, far more than one core affords for 1000 slaves that report every second.
/// With `maxAge` 0 (`--unique-reports`) every report is built and encoded for its slave alone.
final class ReportCache: Sendable {
    /// One slave's `stats` payload: `parts`, one after the other.
    struct Payload: Sendable {
        let parts: [[UInt8]]
        /// Requests in the report (its aggregated entry's count).
        let requests: Int

        var count: Int { parts.reduce(0) { $0 + $1.count } }
    }

    /// A report's encoding around its user counts.
    private struct Cut {
        /// Up to the `user_classes_count` key.
        let head: [UInt8]
        /// After the `user_count` value, without the node id's nil.
        let tail: [UInt8]
    }

    private struct Report {
        let snapshot: StatsSnapshot
        let builtAt: ContinuousClock.Instant
        /// By test and form; `nil` when the encoding could not be cut (then every slave's is encoded whole).
        var cuts: [CutKey: Cut?] = [:]
    }

    /// A report's encoding is cut once per test and form (with or without Locust's part).
    private struct CutKey: Hashable {
        var test: String?
        var lean: Bool
    }

    private struct Slot {
        var stats: RequestStats
        var report: Report?
    }

    private struct State {
        /// By user count: 0 (empty deltas), 1, 2-3, 4-7, 8-15, …
        var slots: [Int: Slot] = [:]
        var rng: FastRandom
        var built = 0
        var encoded = 0
        /// Set if a spliced payload ever differed from the codec's: every payload is encoded whole.
        var spliceBroken = false
    }

    private let traffic: SyntheticTraffic
    private let maxAge: Duration
    private let state: Mutex<State>

    init(traffic: SyntheticTraffic, maxAge: Duration, seed: UInt64) {
        self.traffic = traffic
        self.maxAge = maxAge
        state = Mutex(State(rng: FastRandom(seed: seed)))
    }

    /// Reports built so far.
    var built: Int { state.withLock { $0.built } }

    /// Whole `stats` messages encoded so far (the other payloads were spliced from these).
    var encoded: Int { state.withLock { $0.encoded } }

    /// The bytes `nodeID` adds at the end of a frame: its MessagePack string, taken from the codec
    /// (a frame with no node id ends with nil instead).
    static func nodeIDSuffix(_ nodeID: String) -> [UInt8] {
        let without = ClusterMessageCodec.encode(.quit, nodeID: nil)
        let with = ClusterMessageCodec.encode(.quit, nodeID: nodeID)
        precondition(without.last == 0xC0 && with.starts(with: without.dropLast()), "the codec no longer ends a frame with its node id")
        return Array(with[(without.count - 1)...])
    }

    /// The `user_classes_count` and `user_count` pairs as the codec writes them: the data of a
    /// `spawning_complete`, after its 2-entry map header.
    static func countPairs(_ counts: [String: Int], userCount: Int) -> [UInt8] {
        let frame = ClusterMessageCodec.encode(.spawningComplete(counts: counts, userCount: userCount), nodeID: nil)
        // fixarray 3, the type as a fixstr, fixmap 2 ... nil.
        let prefix: [UInt8] = [0x93, 0xA0 | 17] + Array("spawning_complete".utf8) + [0x82]
        precondition(frame.starts(with: prefix) && frame.last == 0xC0, "the codec's spawning_complete changed its layout")
        return Array(frame[prefix.count..<(frame.count - 1)])
    }

    /// A `stats` payload from the slave `nodeID` (whose `nodeIDSuffix` is given) with the requests of
    /// `users` users, reporting `userCount` users (`counts` per class) of `test`: from a report built
    /// less than `maxAge` ago for a slave with a user count of the same power of two (so the number
    /// of requests stays within a factor of 2 of this slave's), else a fresh one holding the requests
    /// of `users` users.
    /// `lean`: without Locust's part, as our slaves report to a master that said it reads only the
    /// exact part.
    func payload(
        requestsOf users: Int, userCount: Int, counts: [String: Int], test: String?, lean: Bool, nodeID: String,
        nodeIDSuffix: [UInt8]
    ) -> Payload {
        state.withLock { state -> Payload in
            let now = ContinuousClock.now
            let key = Int.bitWidth - max(0, users).leadingZeroBitCount
            var slot = state.slots[key] ?? Slot(stats: RequestStats(startTime: Date().timeIntervalSince1970 - ClusterProtocol.statsInterval))
            var report: Report
            if let cached = slot.report, cached.builtAt.duration(to: now) < maxAge {
                report = cached
            } else {
                let end = Date().timeIntervalSince1970
                traffic.record(
                    into: slot.stats, users: users, from: end - ClusterProtocol.statsInterval, to: end, rng: &state.rng)
                report = Report(snapshot: slot.stats.snapshotAndReset(), builtAt: now)
                state.built += 1
            }
            let requests = report.snapshot.total.numRequests
            func message(_ counts: [String: Int], _ userCount: Int) -> ClusterMessage {
                .stats(.init(
                    snapshot: report.snapshot, userCount: userCount, userClassesCount: counts, test: test,
                    includesLocustPart: !lean))
            }
            func whole() -> Payload {
                state.encoded += 1
                return Payload(parts: [ClusterMessageCodec.encode(message(counts, userCount), nodeID: nodeID)], requests: requests)
            }
            if maxAge == .zero || state.spliceBroken {
                // Built for this slave alone: encoded for it alone.
                slot.report = report
                state.slots[key] = slot
                return whole()
            }
            let cut: Cut?
            var fresh = false
            let cutKey = CutKey(test: test, lean: lean)
            if let cached = report.cuts[cutKey] {
                cut = cached
            } else {
                // Encoded with no counts, then cut at the only place where those pairs are.
                state.encoded += 1
                let bytes = ClusterMessageCodec.encode(message([:], 0), nodeID: nil)
                let empty = Self.countPairs([:], userCount: 0)
                let places = Self.occurrences(of: empty, in: bytes)
                if places.count == 1, bytes.last == 0xC0 {
                    cut = Cut(head: Array(bytes[..<places[0]]), tail: Array(bytes[(places[0] + empty.count)..<(bytes.count - 1)]))
                } else {
                    cut = nil
                }
                report.cuts[cutKey] = .some(cut)
                fresh = true
            }
            var payload: Payload
            if let cut {
                payload = Payload(parts: [cut.head, Self.countPairs(counts, userCount: userCount), cut.tail, nodeIDSuffix], requests: requests)
                if fresh {
                    // The first slave of a fresh cut: its payload must be the codec's, byte for byte.
                    let expected = ClusterMessageCodec.encode(message(counts, userCount), nodeID: nodeID)
                    state.encoded += 1
                    if Array(payload.parts.joined()) != expected {
                        print("locust-slave-sim: a spliced stats payload differs from ClusterMessageCodec.encode's: encoding every payload whole from now on")
                        state.spliceBroken = true
                        payload = Payload(parts: [expected], requests: requests)
                    }
                }
            } else {
                payload = whole()
            }
            slot.report = report
            state.slots[key] = slot
            return payload
        }
    }

    /// Where `needle` starts in `bytes`.
    private static func occurrences(of needle: [UInt8], in bytes: [UInt8]) -> [Int] {
        guard !needle.isEmpty, bytes.count >= needle.count else { return [] }
        var result: [Int] = []
        var index = 0
        while index <= bytes.count - needle.count {
            if bytes[index] == needle[0] && bytes[index..<(index + needle.count)].elementsEqual(needle) { result.append(index) }
            index += 1
        }
        return result
    }
}
