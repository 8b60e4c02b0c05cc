import Foundation
import LocustStats
import NIOCore
import Testing
@testable import LocustRunner

/// Every message of the coordinator protocol survives its JSON payload and its frame.
struct ClusterMessageTests {
    static let t0 = 1_700_000_000.0

    /// A realistic statistics delta: two request types, a failure, an exception.
    static func sampleSnapshot() -> StatsSnapshot {
        let stats = RequestStats(startTime: t0)
        for index in 0..<200 {
            stats.record(
                method: index % 3 == 0 ? "POST" : "GET", name: "/item/\(index % 7)", responseTime: Double(index % 97) * 1.7 + 0.3,
                contentLength: 100 + index, error: index % 50 == 0 ? "HTTPError('500')" : nil, at: t0 + Double(index) / 100)
        }
        stats.recordException(message: "boom", location: "Scenario.swift:12", node: "slave-1")
        return stats.snapshot()
    }

    /// One of every case, with the `type` each must carry on the wire.
    static let everyMessage: [(ClusterMessage, String)] = [
        (.ready(.init(version: 1, slaveID: "host_1f", hostname: "host", pluginFingerprint: "c39c9a0aac4c75ce", userClasses: ["A", "B"])), "ready"),
        (.hatching, "hatching"),
        (.hatchComplete(counts: ["A": 334, "B": 0]), "hatch_complete"),
        (.stats(.init(snapshot: sampleSnapshot(), userCount: 12)), "stats"),
        (.stats(.init(snapshot: .empty(startTime: t0), userCount: 0)), "stats"),
        (.stopped, "stopped"),
        (.quit, "quit"),
        (.accepted(slaveID: "host_1f"), "accepted"),
        (.reject(reason: "its plugin is another build"), "reject"),
        (.hatch(.init(counts: ["A": 3, "B": 1], rate: 2.5, host: "http://127.0.0.1:8080", generation: 7)), "hatch"),
        (.hatch(.init(counts: [:], rate: 0.001, host: nil, generation: 1)), "hatch"),
        (.stop(stopTimeout: 1.5), "stop"),
        (.heartbeat(.init(state: "running", userCount: 333)), "heartbeat"),
    ]

    @Test func everyCaseIsCovered() {
        let names = Set(Self.everyMessage.map(\.1))
        #expect(names == ["ready", "hatching", "hatch_complete", "stats", "stopped", "quit", "accepted", "reject", "hatch", "stop", "heartbeat"])
    }

    @Test(arguments: everyMessage.indices)
    func jsonRoundTrip(_ index: Int) throws {
        let (message, type) = Self.everyMessage[index]
        let payload = try message.payload()
        let object = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        #expect(object["type"] as? String == type)
        #expect(message.typeName == type)
        #expect(try ClusterMessage.decode(payload) == message)
    }

    @Test(arguments: everyMessage.indices)
    func frameIsBigEndianLengthThenPayload(_ index: Int) throws {
        let message = Self.everyMessage[index].0
        var frame = try message.frame(allocator: ByteBufferAllocator())
        let payload = try message.payload()
        #expect(frame.readableBytes == payload.count + 4)
        let prefix = frame.readBytes(length: 4)
        #expect(prefix == withUnsafeBytes(of: UInt32(payload.count).bigEndian, Array.init))
        let rest = frame.readBytes(length: frame.readableBytes) ?? []
        #expect(try ClusterMessage.decode(Data(rest)) == message)
    }

    @Test func statsSnapshotKeepsPercentilesThroughJSON() throws {
        let snapshot = Self.sampleSnapshot()
        let decoded = try ClusterMessage.decode(try ClusterMessage.stats(.init(snapshot: snapshot, userCount: 1)).payload())
        guard case .stats(let report) = decoded else { Issue.record("not stats: \(decoded)"); return }
        let percentiles = [0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0]
        #expect(report.snapshot.total.percentiles(percentiles) == snapshot.total.percentiles(percentiles))
        #expect(report.snapshot.errors == snapshot.errors)
        #expect(report.snapshot.exceptions == snapshot.exceptions)
    }

    @Test(arguments: [
        #"{"type": "bogus"}"#,
        #"{"kind": "ready"}"#,
        #"{"type": "hatch_complete"}"#,
        #"{"type": "heartbeat", "heartbeat": {"state": "running"}}"#,
        #"{"type": "stop", "stopTimeout": "soon"}"#,
        #"["type", "quit"]"#,
        "not json",
    ])
    func malformedPayloadsThrow(_ text: String) {
        #expect(throws: (any Error).self) { try ClusterMessage.decode(Data(text.utf8)) }
    }
}
