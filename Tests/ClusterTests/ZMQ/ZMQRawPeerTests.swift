import Foundation
import Testing
@testable import LocustRunner

/// ZMQRouter and ZMQDealer against peers played byte by byte on raw TCP sockets: the bytes a real
/// Locust 2.47 worker and master sent (shared/fixtures/locust-2.47-wire), garbage, silence, and a
/// multi-part message.
extension ZMQSocketSuites {
@Suite struct ZMQRawPeerTests {
    /// The router's options for these tests: a short handshake interval.
    static var options: ZMQSocketOptions {
        var options = ZMQSocketOptions()
        options.handshakeInterval = .milliseconds(500)
        return options
    }

    /// Whether `reported` names the connection from `expected`: a connection libzmq closed within
    /// microseconds of accepting it may be gone before the router's thread can read its address,
    /// and is then named by its file descriptor.
    static func isPeer(_ reported: String, _ expected: String) -> Bool {
        reported == expected || reported.hasPrefix("fd ")
    }

    /// Plays a worker's handshake on `connection` with `greeting` and a READY for `identity`;
    /// returns the router's greeting and READY body.
    func handshake(
        _ connection: ZMQRawTCP, greeting: [UInt8], identity: [UInt8]
    ) throws -> (greeting: [UInt8], ready: (flags: UInt8, body: [UInt8])) {
        try connection.write(greeting)
        let theirs = try connection.read(exactly: 64)
        try connection.write(ZMQTestFrames.frame(ZMQTestFrames.ready(socketType: "DEALER", identity: identity), flags: ZMQTestFrames.command))
        return (theirs, try ZMQTestFrames.readFrame(from: connection))
    }

    @Test func aRouterSpeaksWithTheBytesOfARealLocustWorker() async throws {
        let fixture = try ZMQWireFixture.load()
        let events = ZMQEventQueue<ZMQRouter.Event>()
        let router = try ZMQRouter(host: "127.0.0.1", port: 0, options: Self.options, handler: events.handler)
        let worker = try ZMQRawTCP.connect(port: router.port)

        // The worker's greeting; the router answers with a ZMTP 3.1 NULL greeting (the same bytes as
        // Locust's master: libzmq writes the ZMTP 1.0 length of its empty identity, 0x01).
        try worker.write(fixture.worker.greeting)
        let greeting = try worker.read(exactly: 64)
        #expect(greeting[0] == 0xFF && greeting[9] == 0x7F, "not a ZMTP signature")
        #expect(greeting[10] == 3)
        #expect(Array(greeting[12..<16]) == Array("NULL".utf8))
        #expect(greeting == fixture.master.greeting)

        // The worker's READY (it carries the identity); the router's says ROUTER.
        try worker.write(ZMQTestFrames.frame(fixture.worker.ready, flags: ZMQTestFrames.command))
        let ready = try ZMQTestFrames.readFrame(from: worker)
        #expect(ready.flags == ZMQTestFrames.command)
        let properties = try #require(ZMQTestFrames.properties(ofReady: ready.body), "not a READY command")
        #expect(properties["Socket-Type"] == Array("ROUTER".utf8))
        #expect(ready.body == fixture.master.ready)
        let identity = try #require(ZMQTestFrames.properties(ofReady: fixture.worker.ready)?["Identity"])
        #expect(identity == Array("vm_7f945ca9c3b8421f8d9c42298c0b67c6".utf8))

        // The captured client_ready (short frame) and stats (long frame) arrive byte for byte.
        for type in ["client_ready", "stats"] {
            let message = try #require(fixture.worker.message(type))
            let wire = ZMQTestFrames.frame(message.msgpack, flags: 0)
            #expect(wire[0] == message.flags)
            try worker.write(wire)
            let received = try #require(await events.next { $0.received != nil }?.received, "no \(type)")
            #expect(received.identity == identity)
            #expect(received.payload == message.msgpack)
            #expect(received.peer == "127.0.0.1:\(worker.localPort)")
        }

        // The master's answers leave as the frames Locust's master sent.
        for type in ["ack", "spawn"] {
            let message = try #require(fixture.master.message(type))
            router.send(message.msgpack, to: identity)
            let frame = try ZMQTestFrames.readFrame(from: worker)
            #expect(frame.flags == message.flags, "\(type) flags")
            #expect(frame.body == message.msgpack, "\(type) bytes")
        }
        await router.close(linger: .zero)
    }

    @Test func aDealerSpeaksWithTheBytesOfARealLocustMaster() async throws {
        let fixture = try ZMQWireFixture.load()
        let (listener, port) = try ZMQRawTCP.listen()
        let events = ZMQEventQueue<ZMQDealer.Event>()
        let dealer = try ZMQDealer(
            identity: "vm_7f945ca9c3b8421f8d9c42298c0b67c6", host: "127.0.0.1", port: port, handler: events.handler)
        let master = try listener.accept()

        // With the captured worker's identity, the dealer's greeting and READY are the worker's bytes.
        try master.write(fixture.master.greeting)
        #expect(try master.read(exactly: 64) == fixture.worker.greeting)
        let ready = try ZMQTestFrames.readFrame(from: master)
        #expect(ready.flags == ZMQTestFrames.command)
        #expect(ready.body == fixture.worker.ready)
        try master.write(ZMQTestFrames.frame(fixture.master.ready, flags: ZMQTestFrames.command))
        #expect(await events.next { $0.isConnected } != nil, "no handshake")

        // The dealer's first frame, byte-exact.
        let clientReady = try #require(fixture.worker.message("client_ready"))
        dealer.send(clientReady.msgpack)
        #expect(try master.read(exactly: 2 + clientReady.msgpack.count) == [0, 58] + clientReady.msgpack)
        let stats = try #require(fixture.worker.message("stats"))
        dealer.send(stats.msgpack)
        #expect(try master.read(exactly: 9 + stats.msgpack.count) == ZMQTestFrames.frame(stats.msgpack))

        // And the master's messages arrive whole.
        for type in ["ack", "spawn"] {
            let message = try #require(fixture.master.message(type))
            try master.write(ZMQTestFrames.frame(message.msgpack))
            #expect(await events.next { $0.payload != nil }?.payload == message.msgpack, "\(type)")
        }
        #expect(dealer.droppedMessages == 0)
        await dealer.close(linger: .zero)
        #expect(master.waitForClose())
    }

    @Test func aMultiPartMessageIsMalformedAndNotDelivered() async throws {
        let fixture = try ZMQWireFixture.load()
        let events = ZMQEventQueue<ZMQRouter.Event>()
        let router = try ZMQRouter(host: "127.0.0.1", port: 0, options: Self.options, handler: events.handler)
        let peer = try ZMQRawTCP.connect(port: router.port)
        let identity = Array("raw_multi".utf8)
        _ = try handshake(peer, greeting: fixture.worker.greeting, identity: identity)

        try peer.write(ZMQTestFrames.frame(Array("abc".utf8), flags: ZMQTestFrames.more) + ZMQTestFrames.frame(Array("def".utf8)))
        try peer.write(ZMQTestFrames.frame(Array("single".utf8)))
        var seen: [ZMQRouter.Event] = []
        let malformed = try #require(await events.next(skipped: &seen) { $0.malformed != nil }?.malformed)
        #expect(malformed.identity == identity)
        #expect(malformed.peer == "127.0.0.1:\(peer.localPort)")
        #expect(malformed.reason.contains("2 frames"))
        let next = try #require(await events.next(skipped: &seen) { $0.received != nil }?.received)
        #expect(next.payload == Array("single".utf8), "the multi-part message was delivered")
        #expect(!seen.contains { $0.received != nil })
        await router.close(linger: .zero)
    }

    @Test func garbageAndSilenceAreDroppedWithoutDisturbingAWorker() async throws {
        let events = ZMQEventQueue<ZMQRouter.Event>()
        let router = try ZMQRouter(host: "127.0.0.1", port: 0, options: Self.options, handler: events.handler)
        let dealerEvents = ZMQEventQueue<ZMQDealer.Event>()
        let dealer = try ZMQDealer(
            identity: "host_0123456789abcdef0123456789abcdef", host: "127.0.0.1", port: router.port,
            handler: dealerEvents.handler)
        #expect(await dealerEvents.next { $0.isConnected } != nil)
        var seen: [ZMQRouter.Event] = []

        func exchange(_ text: String) async throws {
            dealer.send(Array(text.utf8))
            let message = try #require(await events.next(skipped: &seen) { $0.received != nil }?.received)
            #expect(message.payload == Array(text.utf8))
            router.send(Array("re: \(text)".utf8), to: message.identity)
            #expect(await dealerEvents.next { $0.payload != nil }?.payload == Array("re: \(text)".utf8))
        }
        try await exchange("before")

        // Not a greeting (an HTTP request: ZMTP 1.0 to libzmq, refused), and a ZMTP 3 greeting for a
        // mechanism the router does not speak.
        var curve = [UInt8](repeating: 0, count: 64)
        curve[0] = 0xFF
        curve[9] = 0x7F
        curve[10] = 3
        curve[11] = 1
        curve.replaceSubrange(12..<17, with: Array("CURVE".utf8))
        for garbage in [Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8), curve] {
            let raw = try ZMQRawTCP.connect(port: router.port)
            try raw.write(garbage)
            let peer = "127.0.0.1:\(raw.localPort)"
            #expect(raw.waitForClose(), "the router kept a garbage connection")
            let gone = try #require(await events.next(skipped: &seen) { $0.disconnected != nil }?.disconnected)
            #expect(gone.identity == nil)
            #expect(Self.isPeer(gone.peer, peer))
            try await exchange("after \(garbage.count) bytes of garbage")
        }

        // A connection that says nothing is dropped after the handshake interval (500 ms).
        let clock = ContinuousClock()
        let silent = try ZMQRawTCP.connect(port: router.port)
        let start = clock.now
        #expect(silent.waitForClose(), "a silent connection was kept")
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(400) && elapsed < .seconds(3), "dropped after \(elapsed)")
        let gone = try #require(await events.next(skipped: &seen) { $0.disconnected != nil }?.disconnected)
        #expect(gone.identity == nil)
        #expect(gone.peer == "127.0.0.1:\(silent.localPort)")
        try await exchange("after silence")

        #expect(!(seen + events.drain()).contains { $0.malformed != nil })
        await dealer.close(linger: .zero)
        await router.close(linger: .zero)
    }
}
}
