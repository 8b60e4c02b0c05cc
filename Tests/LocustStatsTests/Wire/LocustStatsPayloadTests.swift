import Foundation
import LocustStats
import MessagePack
import Testing

/// Locust's own statistics payload: what a Locust master merges from our slaves, and what our master
/// reads from a Python worker.
struct LocustStatsPayloadTests {
    @Test(arguments: [
        (0.4, 0), (0.5, 0), (1.5, 2), (2.5, 2), (99.4, 99), (147.0, 150), (145.0, 140), (155.0, 160), (999.0, 1000),
        (3432.0, 3400), (58760.0, 59000), (10_500.0, 10_000), (11_500.0, 12_000),
    ])
    func bucketsRoundAsPython(_ example: (Double, Int)) {
        #expect(LocustBucket.bucket(example.0) == example.1)
    }

    @Test func errorKeyIsLocusts() {
        // Taken from a real Locust 2.47 worker's `stats` message (../shared/fixtures/locust-2.47-wire).
        let key = LocustStatsPayload.errorKey(
            method: "GET", name: "/status500", error: "HTTPError('500 Server Error: Internal Server Error for url: /status500')")
        #expect(key == "3891612514db66ea77d587753c45e12e36c86df524644fd827be39637a2a1b9d")
    }

    @Test func payloadHasLocustsKeysAndBuckets() throws {
        let t0 = 1_796_160_288.5
        let stats = RequestStats(startTime: t0)
        for (index, time) in [1.2, 2.4, 147.0, 3432.0].enumerated() {
            stats.record(method: "GET", name: "/", responseTime: time, contentLength: 5, error: index == 0 ? "boom" : nil, at: t0 + Double(index))
        }
        var writer = MessagePackWriter()
        writer.writeMapHeader(3)
        LocustStatsPayload.writePairs(of: stats.snapshot(), into: &writer)
        let value = try MessagePackValue.decode(writer.bytes)
        let entry = try #require(value["stats"]?.arrayValue?.first)
        let keys = entry.mapValue?.compactMap(\.key.stringValue)
        #expect(keys == [
            "name", "method", "last_request_timestamp", "start_time", "num_requests", "num_none_requests", "num_failures",
            "total_response_time", "max_response_time", "min_response_time", "total_content_length", "response_times",
            "num_reqs_per_sec", "num_fail_per_sec",
        ])
        let buckets = try #require(entry["response_times"]?.mapValue)
        let pairs = buckets.compactMap { pair -> (Int, Int)? in
            guard let key = pair.key.intValue, let count = pair.value.intValue else { return nil }
            return (key, count)
        }
        #expect(pairs.map(\.0) == [1, 2, 150, 3400])
        #expect(value["stats_total"]?["name"] == "Aggregated")
        #expect(value["stats_total"]?["num_requests"]?.intValue == 4)
        let error = try #require(value["errors"]?.mapValue?.first)
        #expect(error.key.stringValue == LocustStatsPayload.errorKey(method: "GET", name: "/", error: "boom"))
        #expect(error.value["occurrences"]?.intValue == 1)

        // And back, as a master reads a Python worker.
        let snapshot = try LocustStatsPayload.snapshot(from: value, takenAt: t0 + 5)
        #expect(snapshot.total.numRequests == 4)
        #expect(snapshot.entries.first?.numFailures == 1)
        #expect(snapshot.errors.first?.occurrences == 1)
        #expect(snapshot.total.maxResponseTime == 3432)
        #expect(abs(snapshot.total.percentile(0.75) - 150) < 0.2)
    }

    @Test func readsARealLocustWorkersReport() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../../shared/fixtures/locust-2.47-wire/transcript.json")
        let data = try #require(try? Data(contentsOf: url), "missing fixture \(url.path)")
        let transcript = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let frames = try #require((transcript["worker->master"] as? [String: Any])?["frames (first two of each type)"] as? [[String: Any]])
        let stats = try #require(frames.last { $0["type"] as? String == "stats" })
        let hex = try #require(stats["msgpack_hex"] as? String)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(try #require(UInt8(hex[index..<next], radix: 16)))
            index = next
        }
        let triple = try #require(try MessagePackValue.decode(bytes).arrayValue)
        let snapshot = try LocustStatsPayload.snapshot(from: triple[1], takenAt: 0)
        let decoded = try #require((stats["decoded"] as? [Any])?[1] as? [String: Any])
        let total = try #require(decoded["stats_total"] as? [String: Any])
        #expect(snapshot.total.numRequests == total["num_requests"] as? Int)
        #expect(snapshot.total.numFailures == total["num_failures"] as? Int)
        #expect(snapshot.entries.count == (decoded["stats"] as? [Any])?.count)
        #expect(snapshot.errors.first?.occurrences == 18)
    }
}
