import LocustStats
import MessagePack
import Testing

/// The exact form of a snapshot on the coordinator's wire: what a SwiftLocust master merges.
struct StatsSnapshotExactWireTests {
    static let t0 = 1_700_000_000.0

    static func sample() -> StatsSnapshot {
        let stats = RequestStats(startTime: t0)
        for index in 0..<500 {
            stats.record(
                method: index % 3 == 0 ? "POST" : "GET", name: "/item/\(index % 7)", responseTime: Double(index % 97) * 13.7 + 0.3,
                contentLength: 100 + index, error: index % 50 == 0 ? "HTTPError('500')" : nil, at: t0 + Double(index) / 100)
        }
        stats.recordException(message: "boom", location: "Scenario.swift:12", node: "slave-1")
        stats.recordInterrupted()
        return stats.snapshot()
    }

    static func roundTrip(_ snapshot: StatsSnapshot) throws -> StatsSnapshot {
        var writer = MessagePackWriter()
        snapshot.writeExact(into: &writer)
        // One value for any msgpack reader: every count written is right.
        _ = try MessagePackValue.decode(writer.bytes)
        var reader = MessagePackReader(writer.bytes)
        let decoded = try StatsSnapshot(exactFrom: &reader)
        #expect(reader.isAtEnd)
        return decoded
    }

    @Test func everyFieldSurvives() throws {
        let snapshot = Self.sample()
        let decoded = try Self.roundTrip(snapshot)
        #expect(decoded == snapshot)
        #expect(decoded.total.percentiles([0.5, 0.95, 0.99]) == snapshot.total.percentiles([0.5, 0.95, 0.99]))
        #expect(decoded.currentResponseTimePercentile(0.95, now: Self.t0 + 5) == snapshot.currentResponseTimePercentile(0.95, now: Self.t0 + 5))
        #expect(decoded.interruptedRequests == 1)
        #expect(decoded.exceptions.first?.nodes == ["slave-1"])
    }

    @Test func emptySnapshotSurvives() throws {
        let snapshot = StatsSnapshot.empty(startTime: Self.t0)
        #expect(try Self.roundTrip(snapshot) == snapshot)
    }

    @Test func mergingDecodedDeltasEqualsRecordingInOnePlace() throws {
        let whole = RequestStats(startTime: Self.t0)
        let merged = RequestStats(startTime: Self.t0)
        for part in 0..<3 {
            let slave = RequestStats(startTime: Self.t0)
            for index in 0..<300 {
                let time = Double((index * 7 + part * 13) % 1000) + 0.5
                slave.record(method: "GET", name: "/a", responseTime: time, contentLength: 1, error: nil, at: Self.t0 + 1)
                whole.record(method: "GET", name: "/a", responseTime: time, contentLength: 1, error: nil, at: Self.t0 + 1)
            }
            merged.merge(try Self.roundTrip(slave.snapshotAndReset()))
        }
        let left = merged.snapshot().total
        let right = whole.snapshot().total
        #expect(left.numRequests == 900)
        #expect(left.percentiles([0.5, 0.9, 0.99, 1]) == right.percentiles([0.5, 0.9, 0.99, 1]))
    }

    @Test(arguments: [
        // A negative request count, in an otherwise valid entry.
        "negative",
        // A truncated payload.
        "truncated",
        // Another form version.
        "version",
    ])
    func refusesWhatNoHonestPeerSends(_ kind: String) throws {
        var writer = MessagePackWriter()
        Self.sample().writeExact(into: &writer)
        var bytes = writer.bytes
        switch kind {
        case "negative":
            var forged = MessagePackWriter()
            forged.writeArrayHeader(8)
            forged.write(1)
            forged.writeArrayHeader(0)
            forged.writeArrayHeader(14)
            forged.write("")
            forged.write("Aggregated")
            forged.write(-5)
            for _ in 0..<11 { forged.write(0) }
            bytes = forged.bytes
        case "truncated":
            bytes.removeLast(bytes.count / 2)
        default:
            bytes[2] = 0x7f
        }
        var reader = MessagePackReader(bytes)
        #expect(throws: (any Error).self) { try StatsSnapshot(exactFrom: &reader) }
    }
}
