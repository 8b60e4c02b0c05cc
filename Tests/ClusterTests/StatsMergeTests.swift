import Foundation
import LocustStats
import Testing
@testable import LocustRunner

/// What the master does with slave reports: merging the deltas of three slaves equals recording
/// every sample in one place, also when the deltas went through the protocol's JSON.
struct StatsMergeTests {
    static let t0 = 1_700_000_000.0
    static let percentiles = [0.0, 0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0]

    struct Sample {
        var method: String
        var name: String
        var responseTime: Double
        var contentLength: Int
        var error: String?
        var at: Double
    }

    /// Deterministic samples over 30 s: three request types, a long tail, some failures.
    static func samples(count: Int) -> [Sample] {
        var state: UInt64 = 0x1234_5678
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) * 0x1.0p-53
        }
        let names = [("GET", "/"), ("GET", "/item/{id}"), ("POST", "/cart")]
        return (0..<count).map { index in
            let request = names[index % names.count]
            let u = next()
            let responseTime = u < 0.99 ? 5 + 200 * u * u : 1_000 + 20_000 * next()  // a 1 % tail up to 21 s
            return Sample(
                method: request.0, name: request.1, responseTime: (responseTime * 1000).rounded() / 1000,
                contentLength: Int(next() * 5000), error: next() < 0.02 ? "HTTPError('503')" : nil,
                at: t0 + 30 * Double(index) / Double(count))
        }
    }

    static func record(_ samples: some Sequence<Sample>, into stats: RequestStats) {
        for sample in samples {
            stats.record(
                method: sample.method, name: sample.name, responseTime: sample.responseTime,
                contentLength: sample.contentLength, error: sample.error, at: sample.at)
        }
    }

    static func expectSame(_ merged: StatsEntry?, _ single: StatsEntry?, _ label: String) {
        guard let merged, let single else {
            Issue.record("\(label): missing entry (merged \(merged != nil), single \(single != nil))")
            return
        }
        #expect(merged.numRequests == single.numRequests, "\(label) requests")
        #expect(merged.numFailures == single.numFailures, "\(label) failures")
        #expect(merged.minResponseTime == single.minResponseTime, "\(label) min")
        #expect(merged.maxResponseTime == single.maxResponseTime, "\(label) max")
        #expect(abs(merged.totalResponseTime - single.totalResponseTime) < 1e-6, "\(label) total time")
        #expect(merged.totalContentLength == single.totalContentLength, "\(label) content")
        #expect(merged.percentiles(percentiles) == single.percentiles(percentiles), "\(label) percentiles")
        #expect(merged.median == single.median, "\(label) median")
        #expect(merged.requestsPerSecond == single.requestsPerSecond, "\(label) per-second requests")
    }

    @Test(arguments: [false, true])
    func threeSlavesMergeLikeOne(throughWire: Bool) throws {
        let all = Self.samples(count: 9_000)
        let single = RequestStats(startTime: Self.t0)
        Self.record(all, into: single)

        // Three slaves, each with every third sample, each reporting deltas every 3 s of samples.
        let master = RequestStats(startTime: Self.t0)
        let slaves = (0..<3).map { _ in RequestStats(startTime: Self.t0) }
        for window in stride(from: 0, to: all.count, by: 900) {
            for (index, slave) in slaves.enumerated() {
                let share = all[window..<min(window + 900, all.count)].enumerated().filter { $0.offset % 3 == index }.map(\.element)
                Self.record(share, into: slave)
                var delta = slave.snapshotAndReset()
                if throughWire {
                    let frame = ClusterMessageCodec.encode(
                        .stats(.init(snapshot: delta, userCount: 10, userClassesCount: ["A": 10], test: "t-1")), nodeID: "host_1")
                    guard case .stats(let report) = try ClusterMessageCodec.decode(frame, direction: .toMaster).message else {
                        Issue.record("not a stats message")
                        return
                    }
                    delta = report.snapshot
                }
                master.merge(delta)
            }
        }

        let merged = master.snapshot()
        let expected = single.snapshot()
        Self.expectSame(merged.total, expected.total, "Aggregated")
        #expect(merged.entries.map { "\($0.method) \($0.name)" } == expected.entries.map { "\($0.method) \($0.name)" })
        for entry in expected.entries {
            Self.expectSame(merged.entry(method: entry.method, name: entry.name), entry, "\(entry.method) \(entry.name)")
        }
        #expect(merged.errors.map(\.occurrences) == expected.errors.map(\.occurrences))
        #expect(merged.total.numRequests == 9_000)
    }

    /// `StatsSnapshot.merging` (snapshots combined without a `RequestStats`) agrees too.
    @Test func snapshotsMergeLikeOne() {
        let all = Self.samples(count: 3_000)
        let single = RequestStats(startTime: Self.t0)
        Self.record(all, into: single)
        let parts = (0..<3).map { index -> StatsSnapshot in
            let stats = RequestStats(startTime: Self.t0)
            Self.record(all.enumerated().filter { $0.offset % 3 == index }.map(\.element), into: stats)
            return stats.snapshot()
        }
        let merged = parts[0].merging(parts[1]).merging(parts[2])
        Self.expectSame(merged.total, single.snapshot().total, "Aggregated")
    }
}
