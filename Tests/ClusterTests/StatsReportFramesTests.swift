import Foundation
import LocustStats
import MessagePack
import Testing
@testable import LocustRunner

/// A report over the master's message limit goes as parts whose merge is the report.
struct StatsReportFramesTests {
    static let t0 = 1_700_000_000.0

    /// `names` request names, each with a spread of response times and a failure now and then.
    static func bigSnapshot(names: Int) -> StatsSnapshot {
        let stats = RequestStats(startTime: t0)
        for index in 0..<(names * 20) {
            let name = "/catalog/items/\(index % names)/details"
            stats.record(
                method: "GET", name: name, responseTime: Double(index % 97) * 0.37 + 0.1, contentLength: 512,
                error: index % 101 == 0 ? "HTTPError('503 for \(name)')" : nil, at: t0 + Double(index) / 10_000)
        }
        return stats.snapshot()
    }

    @Test("A small report is one frame")
    func smallIsOne() {
        let report = ClusterMessage.StatsReport(snapshot: Self.bigSnapshot(names: 5), userCount: 1, userClassesCount: ["A": 1], test: "t")
        let (frames, dropped) = StatsReportFrames.frames(of: report, nodeID: "n_1")
        #expect(frames.count == 1 && dropped == 0)
    }

    /// The cut is the same at any limit: 400 names against a 24 KiB limit stand for thousands
    /// against the master's 1 MiB (5,000 names took minutes to encode in a debug build: the
    /// histograms are walked bucket by bucket, and `swift test` leaves hdrhistogram unoptimised).
    static let limit = 24 * 1024

    @Test("400 names over a 24 KiB limit, with and without Locust's part: every frame under it, the parts merge into the report", arguments: [true, false])
    func largeIsCut(includesLocustPart: Bool) throws {
        let snapshot = Self.bigSnapshot(names: 400)
        let report = ClusterMessage.StatsReport(
            snapshot: snapshot, userCount: 40, userClassesCount: ["A": 40], test: "t-2", includesLocustPart: includesLocustPart)
        let whole = ClusterMessageCodec.encode(.stats(report), nodeID: "n_1")
        #expect(whole.count > 2 * Self.limit, "the test needs a report over the limit: \(whole.count) bytes")
        let (frames, dropped) = StatsReportFrames.frames(of: report, nodeID: "n_1", limit: Self.limit)
        #expect(dropped == 0)
        #expect(frames.count > 1)
        #expect(frames.allSatisfy { $0.count <= Self.limit }, "\(frames.map(\.count))")
        let merged = RequestStats(startTime: Self.t0)
        for frame in frames {
            guard case .stats(let part) = try ClusterMessageCodec.decode(frame, direction: .toMaster).message else {
                Issue.record("not a stats message")
                continue
            }
            #expect(part.userCount == 40 && part.test == "t-2")
            merged.merge(part.snapshot)
        }
        let result = merged.snapshot()
        #expect(result.entries == snapshot.entries)
        #expect(result.total.numRequests == snapshot.total.numRequests)
        #expect(result.total.histogram == snapshot.total.histogram)
        #expect(result.total.startTime == snapshot.total.startTime)
        #expect(result.total.lastRequestTimestamp == snapshot.total.lastRequestTimestamp)
        #expect(Set(result.errors.map(\.error)) == Set(snapshot.errors.map(\.error)))
        #expect(result.errors.reduce(0) { $0 + $1.occurrences } == snapshot.errors.reduce(0) { $0 + $1.occurrences })
    }
}
