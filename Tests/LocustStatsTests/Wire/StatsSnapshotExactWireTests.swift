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

    /// A snapshot in the exact form with one entry per `(name, values, counts)`, written by hand.
    static func forged(_ entries: [(name: String, values: [UInt64], counts: [Int])]) -> [UInt8] {
        var writer = MessagePackWriter()
        writer.writeArrayHeader(8)
        writer.write(1)
        func entry(_ name: String, _ values: [UInt64], _ counts: [Int]) {
            writer.writeArrayHeader(14)
            writer.write("GET")
            writer.write(name)
            writer.write(counts.reduce(0, +))
            writer.write(0)
            writer.write(1.5)
            writer.write(0.1)
            writer.write(40.0)
            writer.write(10)
            writer.write(t0)
            writer.write(t0 + 1)
            writer.writeArrayHeader(values.count)
            for value in values { writer.write(value) }
            writer.writeArrayHeader(counts.count)
            for count in counts { writer.write(count) }
            writer.writeMapHeader(0)
            writer.writeMapHeader(0)
        }
        writer.writeArrayHeader(entries.count)
        for item in entries { entry(item.name, item.values, item.counts) }
        entry("Aggregated", [], [])
        writer.writeArrayHeader(0)
        writer.writeArrayHeader(0)
        writer.writeArrayHeader(0)
        writer.write(t0 + 1)
        writer.write(0)
        return writer.bytes
    }

    @Test func histogramBucketsInAnyOrderDecodeAsInOrder() throws {
        // As written: ascending, counts above 0. Then the same buckets shuffled, with a duplicate value,
        // an empty bucket and a value past the largest one kept (clamped to it).
        let maximum = UInt64(1) << 40
        var inOrder = MessagePackReader(Self.forged([("/a", [100, 2_000, 40_000, maximum], [1, 2, 3, 1])]))
        var shuffled = MessagePackReader(Self.forged([("/a", [40_000, 100, 7, 2_000, maximum * 2, 40_000], [2, 1, 0, 2, 1, 1])]))
        let left = try StatsSnapshot(exactFrom: &inOrder)
        let right = try StatsSnapshot(exactFrom: &shuffled)
        #expect(left.entries.first?.histogram == right.entries.first?.histogram)
        #expect(left.entries.first?.histogram.count == 7)
        #expect(right.entries.first?.histogram.count == 7)
        let percentiles = [0.1, 0.3, 0.5, 0.9, 1.0]
        #expect(left.entries.first?.percentiles(percentiles) == right.entries.first?.percentiles(percentiles))
        #expect(right.entries.first?.histogram.maximum == Double(maximum) / 1_000)
        #expect(right.entries.first?.histogram.minimum == 0.1)
    }

    @Test func entriesComeInReportOrderWhateverOrderTheWireHasThem() throws {
        var sorted = MessagePackReader(Self.forged([("/a", [100], [1]), ("/b", [200], [1]), ("/c", [300], [1])]))
        var reversed = MessagePackReader(Self.forged([("/c", [300], [1]), ("/b", [200], [1]), ("/a", [100], [1])]))
        #expect(try StatsSnapshot(exactFrom: &sorted).entries.map(\.name) == ["/a", "/b", "/c"])
        #expect(try StatsSnapshot(exactFrom: &reversed).entries.map(\.name) == ["/a", "/b", "/c"])
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
