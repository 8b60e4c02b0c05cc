import Foundation
import LocustStats
import MessagePack
import Testing
@testable import LocustRunner

/// Locust's frames, byte for byte: our messages decode as they were encoded, a real Locust 2.47
/// master's and worker's frames decode into the right messages, and ours that Locust also sends
/// encode to exactly Locust's bytes.
struct ClusterMessageCodecTests {
    static let t0 = 1_700_000_000.0
    static let node = "vm_7f945ca9c3b8421f8d9c42298c0b67c6"

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

    static let slaveInfo = ClusterMessage.SlaveInfo(
        protocolVersion: ClusterProtocol.version, pluginFingerprint: "c39c9a0aac4c75ce", userClasses: ["A", "B"], hostname: "vm",
        userCount: 12, lagMilliseconds: 3)

    static let toMaster: [ClusterMessage] = [
        .clientReady(version: "2.47.0"),
        .pluginRequest(version: "2.47.0"),
        .heartbeat(.init(state: "running", cpuUsage: 12.5, memoryUsage: 41_000_000, slave: slaveInfo)),
        .heartbeat(.init(state: "ready", cpuUsage: 0, memoryUsage: 0)),
        .stats(.init(snapshot: sampleSnapshot(), userCount: 12, userClassesCount: ["A": 9, "B": 3], test: "ab12-3")),
        .stats(.init(snapshot: .empty(startTime: t0), userCount: 0, userClassesCount: [:], test: nil)),
        .stats(.init(snapshot: sampleSnapshot(), userCount: 12, userClassesCount: ["A": 12], test: "ab12-3", includesLocustPart: false)),
        .spawning,
        .spawningComplete(counts: ["A": 9, "B": 3], userCount: 12),
        .clientStopped,
        .exception(message: "boom", traceback: "  File x"),
        .logs(workerID: node, lines: ["a", "b"]),
        .quit,
    ]

    static let toWorker: [ClusterMessage] = [
        .ack(index: 2),
        .ack(index: 3, exactReports: true),
        .spawn(.init(timestamp: t0 + 0.25, counts: ["A": 3, "B": 1], host: "http://127.0.0.1:8080", stopTimeout: 1.5,
            order: .init(test: "ab12-3", rate: 2.5, equalTaskWeights: true))),
        .spawn(.init(timestamp: t0, counts: [:], host: nil, stopTimeout: 0)),
        .spawn(.init(timestamp: t0 + 1, counts: ["A": 0, "B": 0], host: nil, stopTimeout: 0,
            order: .init(test: "ab12-4", rate: 1, equalTaskWeights: false, arrival: .init(
                schedule: ArrivalSchedule(startRate: 50, stages: [.init(seconds: 30, rate: 100), .init(seconds: 120, rate: 250)]),
                maxConcurrency: 500, elapsed: 12.5)))),
        .spawn(.init(timestamp: t0, counts: ["A": 1], host: nil, stopTimeout: 0, tags: ["checkout", "login"], excludeTags: [])),
        .masterSpawningComplete(userCount: 12),
        .stop,
        .masterHeartbeat,
        .reconnect,
        .reject(reason: "its plugin is another build"),
        .plugin(.init(filename: "libShop.so", contents: [0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 255], fingerprint: "abc123")),
        .plugin(.init(filename: "", contents: [], fingerprint: "", error: "this master sends its plugin only with --cluster-token")),
        .updateUserClass(.init(className: "A", host: "http://127.0.0.1:8080", weight: 2, fixedCount: 1, tasks: ["index"])),
        .updateUserClass(.init(className: "B")),
        .quit,
    ]

    @Test(arguments: toMaster.indices)
    func workerMessagesRoundTrip(_ index: Int) throws {
        let message = Self.toMaster[index]
        let bytes = ClusterMessageCodec.encode(message, nodeID: Self.node)
        // Any msgpack reader (Python's too) sees one 3-array and nothing after it: every count is right.
        #expect(try MessagePackValue.decode(bytes).arrayValue?.count == 3)
        let decoded = try ClusterMessageCodec.decode(bytes, direction: .toMaster)
        #expect(decoded.nodeID == Self.node)
        if case .stats(let sent) = message, case .stats(let received) = decoded.message {
            #expect(received.snapshot == sent.snapshot)
            #expect(received.test == sent.test)
            #expect(received.userClassesCount == sent.userClassesCount)
            #expect(received.exact)
            #expect(received.includesLocustPart == sent.includesLocustPart)
        } else {
            #expect(decoded.message == message)
        }
    }

    @Test(arguments: toWorker.indices)
    func masterMessagesRoundTrip(_ index: Int) throws {
        let message = Self.toWorker[index]
        let bytes = ClusterMessageCodec.encode(message, nodeID: Self.node)
        #expect(try MessagePackValue.decode(bytes).arrayValue?.count == 3)
        let decoded = try ClusterMessageCodec.decode(bytes, direction: .toWorker)
        #expect(decoded.message == message)
        #expect(decoded.nodeID == Self.node)
    }

    // MARK: A real Locust's frames

    struct CapturedFrame {
        var type: String
        var bytes: [UInt8]
    }

    /// One side's captured messages with their bytes (`ZMQWireFixture` reads the transcript).
    static func captured(_ side: KeyPath<ZMQWireFixture, ZMQWireFixture.Side>) throws -> [CapturedFrame] {
        try ZMQWireFixture.load()[keyPath: side].messages.filter { !$0.msgpack.isEmpty }.map {
            CapturedFrame(type: $0.type, bytes: $0.msgpack)
        }
    }

    @Test func decodesARealLocustWorker() throws {
        let frames = try Self.captured(\.worker)
        #expect(Set(frames.map(\.type)).isSuperset(of: ["client_ready", "heartbeat", "stats", "spawning", "spawning_complete", "quit"]))
        for frame in frames {
            let (message, nodeID) = try ClusterMessageCodec.decode(frame.bytes, direction: .toMaster)
            #expect(nodeID == Self.node)
            #expect(message.typeName == frame.type)
            switch message {
            case .clientReady(let version): #expect(version == "2.47.0")
            case .heartbeat(let heartbeat): #expect(heartbeat.slave == nil)
            case .stats(let report):
                #expect(!report.exact)
                #expect(report.test == nil)
                // Compared with what any msgpack reader sees in the same bytes.
                let data = try #require(try MessagePackValue.decode(frame.bytes).arrayValue?[1])
                #expect(report.userCount == data["user_count"]?.intValue)
                #expect(report.snapshot.total.numRequests == data["stats_total"]?["num_requests"]?.intValue)
            case .spawningComplete(let counts, let users):
                #expect(counts == ["WebUser": 4])
                #expect(users == 4)
            default: break
            }
        }
    }

    @Test("A report to a SwiftLocust master leaves Locust's part out: no stats, stats_total or errors, fewer bytes")
    func leanReport() throws {
        let full = ClusterMessage.StatsReport(snapshot: Self.sampleSnapshot(), userCount: 12, userClassesCount: ["A": 12], test: "t-1")
        var lean = full
        lean.includesLocustPart = false
        let fullBytes = ClusterMessageCodec.encode(.stats(full), nodeID: Self.node)
        let leanBytes = ClusterMessageCodec.encode(.stats(lean), nodeID: Self.node)
        let data = try #require(try MessagePackValue.decode(leanBytes).arrayValue?[1])
        #expect(data["stats"] == nil && data["stats_total"] == nil && data["errors"] == nil)
        #expect(data["user_count"]?.intValue == 12 && data["swiftlocust"] != nil)
        #expect(try MessagePackValue.decode(fullBytes).arrayValue?[1]["stats"] != nil)
        #expect(leanBytes.count < fullBytes.count, "lean \(leanBytes.count) bytes, full \(fullBytes.count)")
    }

    @Test func decodesARealLocustMaster() throws {
        let frames = try Self.captured(\.master)
        #expect(Set(frames.map(\.type)).isSuperset(of: ["ack", "heartbeat", "spawn", "spawning_complete", "quit"]))
        for frame in frames {
            let (message, _) = try ClusterMessageCodec.decode(frame.bytes, direction: .toWorker)
            switch message {
            case .ack(let index, let exactReports):
                #expect(index == 0)
                #expect(!exactReports, "Locust's master reads Locust's part")
            case .spawn(let spawn):
                #expect(spawn.counts == ["WebUser": 4])
                #expect(spawn.order == nil)
                // Locust's master sends its whole argument namespace; run without -T/-E, tags are None.
                #expect(spawn.tags == nil && spawn.excludeTags == nil)
                #expect(spawn.host?.hasPrefix("http://127.0.0.1:") == true)
                #expect(spawn.timestamp > 1_700_000_000)
            case .masterSpawningComplete(let users): #expect(users == 4)
            case .masterHeartbeat, .quit: break
            default: Issue.record("unexpected \(message)")
            }
        }
    }

    /// What we send that Locust's own peers also send comes out as Locust's very bytes.
    @Test func encodesLocustsBytes() throws {
        let worker = try Self.captured(\.worker)
        let master = try Self.captured(\.master)
        let expected: [(ClusterMessage, [CapturedFrame], String)] = [
            (.clientReady(version: "2.47.0"), worker, "client_ready"),
            (.heartbeat(.init(state: "ready", cpuUsage: 0, memoryUsage: 0)), worker, "heartbeat"),
            (.spawning, worker, "spawning"),
            (.spawningComplete(counts: ["WebUser": 4], userCount: 4), worker, "spawning_complete"),
            (.quit, worker, "quit"),
            (.ack(index: 0), master, "ack"),
            (.masterHeartbeat, master, "heartbeat"),
            (.masterSpawningComplete(userCount: 4), master, "spawning_complete"),
        ]
        for (message, frames, type) in expected {
            let frame = try #require(frames.first { $0.type == type })
            #expect(ClusterMessageCodec.encode(message, nodeID: Self.node) == frame.bytes, "\(type)")
        }
    }

    @Test(arguments: [
        [0x93] as [UInt8],  // a triple cut short
        [0x92, 0xa1, 0x61, 0xc0],  // a pair
        [0xc1],  // never used
        [0x93, 0xa5, 0x73, 0x74, 0x61, 0x74, 0x73, 0x80, 0xc0],  // stats without stats
        [0x93, 0xa9] + Array("heartbeat".utf8) + [0x80, 0xc0],  // heartbeat without state
        [0x93, 0xa4] + Array("quit".utf8) + [0xc0, 0xc0, 0x00],  // a trailing byte
    ])
    func malformedFramesThrow(_ bytes: [UInt8]) {
        #expect(throws: ClusterFrameError.self) { try ClusterMessageCodec.decode(bytes, direction: .toMaster) }
    }

    @Test func unknownTypesAreKeptAsOther() throws {
        var writer = MessagePackWriter()
        writer.write(["my_custom_message", ["a": 1], nil] as MessagePackValue)
        #expect(try ClusterMessageCodec.decode(writer.bytes, direction: .toWorker).message == .other(type: "my_custom_message"))
    }

    // MARK: update_user_class

    /// `Message("update_user_class", data, node).serialize()` of Locust 2.47 (locust/rpc/protocol.py),
    /// with the data its web UI posts to `/user` (`User.json()`'s keys, then `user_class_name`).
    static let locustUpdateUserClass = hex(
        "93b17570646174655f757365725f636c61737385a4686f7374b5687474703a2f2f3132372e302e302e313a38303839a6776569"
            + "67687403ab66697865645f636f756e7400a57461736b7392a5696e646578a561626f7574af757365725f636c6173735f6e61"
            + "6d65ab53657373696f6e55736572d923766d5f3766393435636139633362383432316638643963343232393863306236376336")

    /// The same with `host` None (a class without a host of its own, as the UI sends it) and an extra
    /// attribute (`POST /user` takes any key; a Locust worker sets it on the class).
    static let locustUpdateUserClassWithExtra = hex(
        "93b17570646174655f757365725f636c61737386a4686f7374c0a677656967687401ab66697865645f636f756e7400a57461"
            + "736b7391a5696e646578af757365725f636c6173735f6e616d65ab53657373696f6e55736572ab776169745f74696d655f"
            + "73cb4004000000000000d923766d5f3766393435636139633362383432316638643963343232393863306236376336")

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }

    @Test func decodesLocustsUpdateUserClass() throws {
        let (message, nodeID) = try ClusterMessageCodec.decode(Self.locustUpdateUserClass, direction: .toWorker)
        #expect(nodeID == Self.node)
        let expected = ClusterMessage.UserClassUpdate(
            className: "SessionUser", host: "http://127.0.0.1:8089", weight: 3, fixedCount: 0, tasks: ["index", "about"])
        #expect(message == .updateUserClass(expected))
        #expect(ClusterMessageCodec.encode(message, nodeID: Self.node) == Self.locustUpdateUserClass, "Locust's very bytes")

        let (other, _) = try ClusterMessageCodec.decode(Self.locustUpdateUserClassWithExtra, direction: .toWorker)
        #expect(other == .updateUserClass(.init(
            className: "SessionUser", host: nil, weight: 1, fixedCount: 0, tasks: ["index"], otherKeys: ["wait_time_s"])))
    }

    @Test func anUpdateUserClassWithoutAClassNameIsMalformed() {
        var writer = MessagePackWriter()
        writer.write(["update_user_class", ["weight": 2], nil] as MessagePackValue)
        #expect(throws: ClusterFrameError.self) { try ClusterMessageCodec.decode(writer.bytes, direction: .toWorker) }
    }
}
