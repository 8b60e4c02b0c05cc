import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import LocustRunner

/// The frame decoder and connection handler, through a real `CoordinatorServer` on loopback: good
/// frames are delivered; a connection that misbehaves is closed (with the reason told to the
/// delegate) and no other connection notices.
struct CoordinatorServerTests {
    // MARK: Fixtures

    /// Records what the server tells its delegate; answers `ready` with `accepted` like a master.
    final class RecordingDelegate: ClusterConnectionDelegate {
        struct Closed {
            var peer: String
            var error: (any Error)?
        }

        private let received = Mutex<[(peer: String, message: ClusterMessage)]>([])
        private let closed = Mutex<[Closed]>([])

        func connectionOpened(_ connection: ClusterConnection) {}

        func connection(_ connection: ClusterConnection, received message: ClusterMessage) {
            received.withLock { $0.append((connection.peer, message)) }
            if case .ready(let ready) = message {
                connection.slaveID = ready.slaveID
                connection.send(.accepted(slaveID: ready.slaveID))
            }
        }

        func connectionClosed(_ connection: ClusterConnection, error: (any Error)?) {
            closed.withLock { $0.append(Closed(peer: connection.peer, error: error)) }
        }

        func messages(from peer: String) -> [ClusterMessage] {
            received.withLock { $0.filter { $0.peer == peer }.map(\.message) }
        }

        /// The peer of the connection that said `ready` as `slaveID`.
        func connection(ofSlave slaveID: String) -> String? {
            received.withLock { entries in
                entries.first { entry in
                    if case .ready(let ready) = entry.message { return ready.slaveID == slaveID }
                    return false
                }?.peer
            }
        }

        func closure(of peer: String) -> Closed? {
            closed.withLock { $0.first { $0.peer == peer } }
        }
    }

    /// A well-behaved slave end, through the real `CoordinatorClient`.
    final class HealthyClient: ClusterConnectionDelegate {
        let connection = Mutex<ClusterConnection?>(nil)
        let received = Mutex<[ClusterMessage]>([])
        let closed = Atomic<Bool>(false)
        let id: String

        init(id: String) { self.id = id }

        func connectionOpened(_ connection: ClusterConnection) {
            self.connection.withLock { $0 = connection }
            connection.send(.ready(.init(version: ClusterProtocol.version, slaveID: id, hostname: "test", pluginFingerprint: "f", userClasses: ["A"])))
        }

        func connection(_ connection: ClusterConnection, received message: ClusterMessage) {
            received.withLock { $0.append(message) }
        }

        func connectionClosed(_ connection: ClusterConnection, error: (any Error)?) {
            closed.store(true, ordering: .relaxed)
        }

        func send(_ message: ClusterMessage) {
            connection.withLock { $0 }?.send(message)
        }
    }

    /// A connection that writes whatever bytes a test wants.
    struct RawClient {
        let channel: any Channel
        /// The server's name for this connection (`ClusterConnection.peer`), taken while open.
        let peer: String

        static func connect(port: Int, group: MultiThreadedEventLoopGroup) async throws -> RawClient {
            let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
            return RawClient(channel: channel, peer: channel.localAddress.map { "\($0)" } ?? "?")
        }

        func write(_ bytes: [UInt8]) async throws {
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
        }

        /// Whether the server closed the connection within `seconds`.
        func closedByServer(within seconds: Double) async -> Bool {
            await eventually(within: seconds) { !channel.isActive }
        }
    }

    static func frame(_ payload: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt32(payload.count).bigEndian, Array.init) + payload
    }

    /// Polls `condition` every 10 ms for up to `seconds`.
    static func eventually(within seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    struct Harness {
        let server: CoordinatorServer
        let delegate: RecordingDelegate
        let group: MultiThreadedEventLoopGroup
        let healthy: HealthyClient

        static func start(healthyID: String) async throws -> Harness {
            let delegate = RecordingDelegate()
            let server = try CoordinatorServer(host: "127.0.0.1", port: 0, delegate: delegate)
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let healthy = HealthyClient(id: healthyID)
            try await CoordinatorClient.connect(host: "127.0.0.1", port: server.port, group: group, delegate: healthy)
            let accepted = await eventually(within: 5) {
                healthy.received.withLock { $0.contains(.accepted(slaveID: healthyID)) }
            }
            #expect(accepted, "the healthy client was not accepted")
            return Harness(server: server, delegate: delegate, group: group, healthy: healthy)
        }

        /// The healthy connection still delivers both ways and was never closed.
        func expectHealthyStillWorks(_ note: String) async {
            let beat = ClusterMessage.heartbeat(.init(state: "running", userCount: Int.random(in: 1...1_000_000)))
            healthy.send(beat)
            let delivered = await eventually(within: 5) {
                delegate.connection(ofSlave: healthy.id).map { delegate.messages(from: $0).contains(beat) } ?? false
            }
            #expect(delivered, "healthy connection lost a frame after \(note)")
            let closed = healthy.closed.load(ordering: .relaxed)
            #expect(!closed, "healthy connection closed after \(note)")
        }

        func stop() async {
            await server.shutdown()
            try? await group.shutdownGracefully()
        }
    }

    // MARK: Tests

    @Test func goodFramesAreDeliveredBothWays() async throws {
        let harness = try await Harness.start(healthyID: "good")
        defer { Task { await harness.stop() } }
        let peer = try #require(harness.delegate.connection(ofSlave: "good"))
        #expect(harness.delegate.messages(from: peer).first == .ready(.init(version: ClusterProtocol.version, slaveID: "good", hostname: "test", pluginFingerprint: "f", userClasses: ["A"])))
        // Two frames in one write, and one frame split over two writes, both decode.
        let raw = try await RawClient.connect(port: harness.server.port, group: harness.group)
        let ready = try Array(ClusterMessage.ready(.init(version: 1, slaveID: "raw", hostname: "h", pluginFingerprint: "f", userClasses: ["A"])).payload())
        let beat = try Array(ClusterMessage.heartbeat(.init(state: "ready", userCount: 0)).payload())
        let stopped = try Array(ClusterMessage.stopped.payload())
        try await raw.write(Self.frame(ready) + Self.frame(beat))
        let split = Self.frame(stopped)
        try await raw.write(Array(split.prefix(3)))
        try await Task.sleep(for: .milliseconds(50))
        try await raw.write(Array(split.dropFirst(3)))
        let all = await Self.eventually(within: 5) { harness.delegate.messages(from: raw.peer).count == 3 }
        #expect(all)
        #expect(harness.delegate.messages(from: raw.peer) == [
            .ready(.init(version: 1, slaveID: "raw", hostname: "h", pluginFingerprint: "f", userClasses: ["A"])),
            .heartbeat(.init(state: "ready", userCount: 0)), .stopped,
        ])
        #expect(raw.channel.isActive)
        try await raw.channel.close()
        await harness.expectHealthyStillWorks("another client's good frames")
    }

    @Test func garbageBytesCloseTheConnection() async throws {
        let harness = try await Harness.start(healthyID: "h-garbage")
        defer { Task { await harness.stop() } }

        // A well-framed payload that is not JSON.
        let notJSON = try await RawClient.connect(port: harness.server.port, group: harness.group)
        try await notJSON.write(Self.frame(Array("definitely { not json".utf8)))
        #expect(await notJSON.closedByServer(within: 5))
        #expect(await Self.eventually(within: 5) { harness.delegate.closure(of: notJSON.peer) != nil })
        #expect(Self.isMalformed(harness.delegate.closure(of: notJSON.peer)?.error))
        await harness.expectHealthyStillWorks("a non-JSON payload")

        // JSON of an unknown message type.
        let unknown = try await RawClient.connect(port: harness.server.port, group: harness.group)
        try await unknown.write(Self.frame(Array(#"{"type": "launch_missiles"}"#.utf8)))
        #expect(await unknown.closedByServer(within: 5))
        #expect(await Self.eventually(within: 5) { harness.delegate.closure(of: unknown.peer) != nil })
        #expect(Self.isMalformed(harness.delegate.closure(of: unknown.peer)?.error))
        await harness.expectHealthyStillWorks("an unknown message type")

        // Not our protocol at all: an HTTP request reads as a ~1.2 GB length prefix.
        let http = try await RawClient.connect(port: harness.server.port, group: harness.group)
        try await http.write(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(await http.closedByServer(within: 5))
        #expect(await Self.eventually(within: 5) { harness.delegate.closure(of: http.peer) != nil })
        #expect(Self.isOversized(harness.delegate.closure(of: http.peer)?.error))
        await harness.expectHealthyStillWorks("HTTP bytes")
    }

    @Test func oversizedLengthPrefixClosesTheConnection() async throws {
        let harness = try await Harness.start(healthyID: "h-oversized")
        defer { Task { await harness.stop() } }
        let raw = try await RawClient.connect(port: harness.server.port, group: harness.group)
        // One byte over the limit; the payload is never sent: the prefix alone must be refused.
        let length = UInt32(ClusterProtocol.maxFrameLength + 1)
        try await raw.write(withUnsafeBytes(of: length.bigEndian, Array.init) + Array("{}".utf8))
        #expect(await raw.closedByServer(within: 5))
        #expect(await Self.eventually(within: 5) { harness.delegate.closure(of: raw.peer) != nil })
        let error = harness.delegate.closure(of: raw.peer)?.error
        #expect(Self.isOversized(error), "closed with \(String(describing: error))")
        await harness.expectHealthyStillWorks("an oversized length prefix")

        // The limit itself is accepted as a length (the decoder waits for the payload).
        let atLimit = try await RawClient.connect(port: harness.server.port, group: harness.group)
        try await atLimit.write(withUnsafeBytes(of: UInt32(ClusterProtocol.maxFrameLength).bigEndian, Array.init))
        try await Task.sleep(for: .milliseconds(200))
        #expect(atLimit.channel.isActive)
        try await atLimit.channel.close()
    }

    @Test func truncatedFrameClosesTheConnection() async throws {
        let harness = try await Harness.start(healthyID: "h-truncated")
        defer { Task { await harness.stop() } }
        let raw = try await RawClient.connect(port: harness.server.port, group: harness.group)
        // A 100-byte frame of which 10 bytes arrive, then the client stops sending (half-close).
        try await raw.write(withUnsafeBytes(of: UInt32(100).bigEndian, Array.init) + Array(repeating: UInt8(ascii: "x"), count: 10))
        try await Task.sleep(for: .milliseconds(50))
        #expect(raw.channel.isActive, "a partial frame alone must not close the connection")
        try await raw.channel.close(mode: .output)
        #expect(await raw.closedByServer(within: 5))
        #expect(await Self.eventually(within: 5) { harness.delegate.closure(of: raw.peer) != nil })
        #expect(harness.delegate.messages(from: raw.peer).isEmpty)
        let error = harness.delegate.closure(of: raw.peer)?.error
        #expect(Self.isTruncated(error), "closed with \(String(describing: error))")
        await harness.expectHealthyStillWorks("a truncated frame")
    }

    /// The only test that waits for `ClusterProtocol.readyTimeout` (5 s).
    @Test func silentClientIsClosedAfterTheReadyTimeout() async throws {
        let harness = try await Harness.start(healthyID: "h-silent")
        defer { Task { await harness.stop() } }
        let started = ContinuousClock.now
        let silent = try await RawClient.connect(port: harness.server.port, group: harness.group)
        // Well before the timeout it is still open…
        try await Task.sleep(for: .seconds(1))
        #expect(silent.channel.isActive)
        // …and it is closed soon after.
        #expect(await silent.closedByServer(within: ClusterProtocol.readyTimeout + 3))
        let waited = started.duration(to: .now)
        #expect(waited >= .milliseconds(Int64(ClusterProtocol.readyTimeout * 1000) - 100))
        #expect(await Self.eventually(within: 2) { harness.delegate.closure(of: silent.peer) != nil })
        let error = harness.delegate.closure(of: silent.peer)?.error
        #expect(Self.isMalformed(error), "closed with \(String(describing: error))")
        #expect("\(error.map { "\($0)" } ?? "")".contains("ready"))
        // The healthy connection, open for longer than the timeout too, is untouched.
        await harness.expectHealthyStillWorks("a silent client's timeout")
    }

    // MARK: Error kinds

    static func isMalformed(_ error: (any Error)?) -> Bool {
        if case .malformed = error as? ClusterFrameError { return true }
        return false
    }

    static func isOversized(_ error: (any Error)?) -> Bool {
        if case .oversized = error as? ClusterFrameError { return true }
        return false
    }

    static func isTruncated(_ error: (any Error)?) -> Bool {
        if case .truncated = error as? ClusterFrameError { return true }
        return false
    }
}
