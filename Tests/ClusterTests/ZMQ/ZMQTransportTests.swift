import CZeroMQ
import Foundation
import Synchronization
import Testing
@testable import LocustRunner

/// ZMQRouter and ZMQDealer against each other on loopback (port 0): messages both ways and in
/// order, disconnection and automatic reconnection, the message size limit, handover, and close.
/// Every wait is an event with a timeout.
extension ZMQSocketSuites {
@Suite struct ZMQTransportTests {
    static let identity = "host_0123456789abcdef0123456789abcdef"

    /// A router on 127.0.0.1 with a random port.
    func router(
        _ options: ZMQSocketOptions = .init(), port: Int = 0
    ) throws -> (ZMQRouter, ZMQEventQueue<ZMQRouter.Event>) {
        let events = ZMQEventQueue<ZMQRouter.Event>()
        return (try ZMQRouter(host: "127.0.0.1", port: port, options: options, handler: events.handler), events)
    }

    /// A dealer connected (handshake done) to `port`.
    func connectedDealer(
        _ identity: String = identity, port: Int, options: ZMQSocketOptions = .init()
    ) async throws -> (ZMQDealer, ZMQEventQueue<ZMQDealer.Event>) {
        let events = ZMQEventQueue<ZMQDealer.Event>()
        let dealer = try ZMQDealer(identity: identity, host: "127.0.0.1", port: port, options: options, handler: events.handler)
        let connected = await events.next { $0.isConnected }
        try #require(connected != nil, "the dealer did not connect")
        return (dealer, events)
    }

    @Test func messagesFlowBothWaysInOrder() async throws {
        let (router, routerEvents) = try router()
        let (dealer, dealerEvents) = try await connectedDealer(port: router.port)
        let peer = try #require(await routerEvents.next { $0.connectedPeer != nil }?.connectedPeer)
        #expect(peer.hasPrefix("127.0.0.1:"))

        for index in 0..<1000 { dealer.send(Array("up \(index)".utf8)) }
        for index in 0..<1000 {
            let message = try #require(await routerEvents.next()?.received, "message \(index) did not arrive")
            #expect(message.identity == Array(Self.identity.utf8))
            #expect(message.peer == peer)
            #expect(message.payload == Array("up \(index)".utf8))
        }
        for index in 0..<1000 { router.send(Array("down \(index)".utf8), to: Array(Self.identity.utf8)) }
        for index in 0..<1000 {
            let payload = try #require(await dealerEvents.next()?.payload, "message \(index) did not arrive")
            #expect(payload == Array("down \(index)".utf8))
        }
        #expect(dealer.droppedMessages == 0)
        #expect(router.droppedMessages == 0)
        await dealer.close(linger: .zero)
        await router.close(linger: .zero)
    }

    @Test func dealerClosingIsSeenWithItsIdentity() async throws {
        let (router, routerEvents) = try router()
        let (dealer, _) = try await connectedDealer(port: router.port)
        dealer.send(Array("hello".utf8))
        let hello = try #require(await routerEvents.next { $0.received != nil }?.received)
        await dealer.close(linger: .zero)
        let gone = try #require(await routerEvents.next { $0.disconnected != nil }?.disconnected)
        #expect(gone.identity == Array(Self.identity.utf8))
        #expect(gone.peer == hello.peer)
        await router.close(linger: .zero)
    }

    @Test func dealerReconnectsToANewRouterOnTheSamePort() async throws {
        let (first, _) = try router()
        let port = first.port
        let (dealer, dealerEvents) = try await connectedDealer(port: port)
        await first.close(linger: .zero)
        #expect(await dealerEvents.next { $0.isDisconnected } != nil, "the dealer did not see the router go")

        let (second, routerEvents) = try router(port: port)
        #expect(await dealerEvents.next { $0.isConnected } != nil, "the dealer did not reconnect by itself")
        dealer.send(Array("again".utf8))
        let message = try #require(await routerEvents.next { $0.received != nil }?.received)
        #expect(message.identity == Array(Self.identity.utf8))
        #expect(message.payload == Array("again".utf8))
        second.send(Array("welcome back".utf8), to: message.identity)
        #expect(await dealerEvents.next { $0.payload != nil }?.payload == Array("welcome back".utf8))
        await dealer.close(linger: .zero)
        await second.close(linger: .zero)
    }

    @Test func anOversizedMessageDisconnectsOnlyItsSender() async throws {
        var options = ZMQSocketOptions()
        options.maxMessageSize = 1024 * 1024
        let (router, routerEvents) = try router(options)
        let bigID = "big_00000000000000000000000000000000"
        let (big, bigEvents) = try await connectedDealer(bigID, port: router.port)
        let (healthy, healthyEvents) = try await connectedDealer(port: router.port)
        big.send(Array("small first".utf8))
        healthy.send(Array("hi".utf8))
        var seen: [ZMQRouter.Event] = []
        var firsts: Set<[UInt8]> = []  // two connections: in either order
        while firsts.count < 2, let message = await routerEvents.next(skipped: &seen, where: { $0.received != nil }) {
            firsts.insert(message.received?.payload ?? [])
        }
        #expect(firsts == [Array("small first".utf8), Array("hi".utf8)])

        big.send([UInt8](repeating: 0x61, count: 2 * 1024 * 1024))
        let gone = await routerEvents.next(skipped: &seen) { $0.disconnected != nil }?.disconnected
        #expect(gone?.identity == Array(bigID.utf8))
        #expect(await bigEvents.next { $0.isDisconnected } != nil)

        healthy.send(Array("still here".utf8))
        let after = await routerEvents.next(skipped: &seen) { $0.received?.payload == Array("still here".utf8) }
        #expect(after?.received?.identity == Array(Self.identity.utf8))
        router.send(Array("and you".utf8), to: Array(Self.identity.utf8))
        #expect(await healthyEvents.next { $0.payload != nil }?.payload == Array("and you".utf8))
        #expect(!(seen + routerEvents.drain()).contains { ($0.received?.payload.count ?? 0) > 1024 * 1024 })
        await big.close(linger: .zero)
        await healthy.close(linger: .zero)
        await router.close(linger: .zero)
    }

    @Test func aReconnectingWorkerTakesOverItsIdentity() async throws {
        let (router, routerEvents) = try router()
        let (old, oldEvents) = try await connectedDealer(port: router.port)
        old.send(Array("old".utf8))
        let first = try #require(await routerEvents.next { $0.received != nil }?.received)
        let (new, newEvents) = try await connectedDealer(port: router.port)
        new.send(Array("new".utf8))
        var seen: [ZMQRouter.Event] = []
        let second = try #require(await routerEvents.next(skipped: &seen) { $0.received != nil }?.received)
        #expect(second.payload == Array("new".utf8))
        #expect(second.peer != first.peer)
        router.send(Array("to the newest".utf8), to: Array(Self.identity.utf8))
        #expect(await newEvents.next { $0.payload != nil }?.payload == Array("to the newest".utf8))
        #expect(oldEvents.drain().allSatisfy { $0.payload == nil }, "the old connection got the message")
        // The old connection's end must not look like the worker leaving.
        await old.close(linger: .zero)
        let oldGone = await routerEvents.next(within: .seconds(1), skipped: &seen) { $0.disconnected != nil }
        // libzmq 4.3 leaves the superseded connection open (detached); its end comes when the old
        // peer closes it, and must not carry the identity that now belongs to the new connection.
        let oldEnd = try #require(oldGone?.disconnected, "the old connection's end was not reported")
        #expect(oldEnd.identity == nil)
        #expect(oldEnd.peer == first.peer)
        await new.close(linger: .zero)
        await router.close(linger: .zero)
    }

    @Test func reconnectOpensANewConnectionWithTheSameIdentity() async throws {
        let (router, routerEvents) = try router()
        let (dealer, dealerEvents) = try await connectedDealer(port: router.port)
        dealer.send(Array("one".utf8))
        let first = try #require(await routerEvents.next { $0.received != nil }?.received)
        dealer.reconnect()
        #expect(await dealerEvents.next { $0.isDisconnected || $0.isConnected }?.isDisconnected == true)
        #expect(await dealerEvents.next { $0.isDisconnected || $0.isConnected }?.isConnected == true)
        dealer.send(Array("two".utf8))
        var seen: [ZMQRouter.Event] = []
        let second = try #require(await routerEvents.next(skipped: &seen) { $0.received != nil }?.received)
        #expect(second.identity == first.identity)
        #expect(second.payload == Array("two".utf8))
        #expect(second.peer != first.peer)
        router.send(Array("three".utf8), to: second.identity)
        #expect(await dealerEvents.next { $0.payload != nil }?.payload == Array("three".utf8))
        await dealer.close(linger: .zero)
        await router.close(linger: .zero)
    }

    /// Holds a dealer for its own handler, and whether it connected before the box held it (the I/O
    /// thread may connect before `ZMQDealer.init` returns).
    final class DealerBox: Sendable {
        let dealer = Mutex<(dealer: ZMQDealer?, connectedEarly: Bool)>((nil, false))

        /// The handler's send: at once, or once the box holds the dealer.
        func sendOnConnect(_ bytes: [UInt8]) {
            let dealer = self.dealer.withLock { state -> ZMQDealer? in
                if state.dealer == nil { state.connectedEarly = true }
                return state.dealer
            }
            dealer?.send(bytes)
        }

        func fill(_ dealer: ZMQDealer, thenSend bytes: [UInt8]) {
            let early = self.dealer.withLock { state -> Bool in
                state.dealer = dealer
                return state.connectedEarly
            }
            if early { dealer.send(bytes) }
        }
    }

    @Test func aSendFromTheConnectedHandlerIsNotDropped() async throws {
        // The first router takes a port from the OS (a port "known to be free" could be taken by a
        // parallel test in between); each next one binds that port again right after the last closed,
        // so that the dealer meets it while reconnecting.
        var (router, routerEvents) = try router()
        let port = router.port
        var options = ZMQSocketOptions()
        options.reconnectIntervalMax = .milliseconds(100)
        let box = DealerBox()
        let events = ZMQEventQueue<ZMQDealer.Event>()
        let dealer = try ZMQDealer(identity: Self.identity, host: "127.0.0.1", port: port, options: options) { event in
            if case .connected = event { box.sendOnConnect(Array("first words".utf8)) }
            events.push(event)
        }
        box.fill(dealer, thenSend: Array("first words".utf8))
        for round in 0..<10 {
            if round > 0 { (router, routerEvents) = try self.router(port: port) }
            let message = await routerEvents.next { $0.received != nil }
            #expect(message?.received?.payload == Array("first words".utf8), "round \(round)")
            await router.close(linger: .zero)
            #expect(await events.next { $0.isDisconnected } != nil, "round \(round)")
        }
        #expect(dealer.droppedMessages == 0)
        box.dealer.withLock { $0.dealer = nil }
        await dealer.close(linger: .zero)
    }

    @Test func closeSendsWhatIsQueuedFirst() async throws {
        let (router, routerEvents) = try router()
        let (dealer, dealerEvents) = try await connectedDealer(port: router.port)
        dealer.send(Array("hello".utf8))
        let identity = try #require(await routerEvents.next { $0.received != nil }?.received?.identity)
        for index in 0..<100 { router.send(Array("bye \(index)".utf8), to: identity) }
        await router.close(linger: .seconds(2))
        // The last messages before a close must not be lost (they are, with ZMQ_IMMEDIATE on the
        // dealer, in libzmq 4.3.4): Locust's master sends `quit` and goes.
        var got: [String] = []
        while got.count < 100, let event = await dealerEvents.next(within: .seconds(3), where: { $0.payload != nil }) {
            got.append(String(decoding: event.payload ?? [], as: UTF8.self))
        }
        #expect(got == (0..<100).map { "bye \($0)" })

        let (second, secondEvents) = try self.router()
        let (worker, _) = try await connectedDealer("host_quitting", port: second.port)
        worker.send(Array("quit".utf8))
        await worker.close(linger: .seconds(2))
        #expect(await secondEvents.next { $0.received != nil }?.received?.payload == Array("quit".utf8))
        await dealer.close(linger: .zero)
        await second.close(linger: .zero)
    }

    @Test func closeIsIdempotentAndPromptWithMessagesForAGonePeer() async throws {
        let clock = ContinuousClock()
        let (router, routerEvents) = try router()
        let (dealer, _) = try await connectedDealer(port: router.port)
        dealer.send(Array("hello".utf8))
        let identity = try #require(await routerEvents.next { $0.received != nil }?.received?.identity)
        await dealer.close(linger: .zero)
        await dealer.close(linger: .seconds(5))
        for _ in 0..<100 { router.send([UInt8](repeating: 1, count: 1000), to: identity) }
        let start = clock.now
        async let one: Void = router.close(linger: .seconds(5))
        async let two: Void = router.close(linger: .seconds(5))
        _ = await (one, two)
        await router.close(linger: .seconds(5))
        #expect(clock.now - start < .seconds(2))
        let dropped = router.droppedMessages
        router.send([1], to: identity)
        #expect(router.droppedMessages == dropped + 1)

        // A dealer whose master never answers: nothing is queued (ZMQ_IMMEDIATE), all is counted.
        let (silent, port) = try ZMQRawTCP.listen()
        let lonely = try ZMQDealer(identity: Self.identity, host: "127.0.0.1", port: port) { _ in }
        for _ in 0..<10 { lonely.send([1, 2, 3]) }
        let lonelyStart = clock.now
        await lonely.close(linger: .seconds(5))
        #expect(clock.now - lonelyStart < .seconds(2))
        #expect(lonely.droppedMessages == 10)
        _ = silent
    }

    @Test func closeWaitsAtMostItsLingerForAPeerThatDoesNotRead() async throws {
        let fixture = try ZMQWireFixture.load()
        let (listener, port) = try ZMQRawTCP.listen()
        let events = ZMQEventQueue<ZMQDealer.Event>()
        let dealer = try ZMQDealer(identity: Self.identity, host: "127.0.0.1", port: port, handler: events.handler)
        let master = try listener.accept()
        try master.write(fixture.master.greeting)
        _ = try master.read(exactly: 64)
        _ = try ZMQTestFrames.readFrame(from: master)
        try master.write(ZMQTestFrames.frame(fixture.master.ready, flags: ZMQTestFrames.command))
        #expect(await events.next { $0.isConnected } != nil)
        // Far more than the loopback socket buffers hold, never read.
        for _ in 0..<400 { dealer.send([UInt8](repeating: 7, count: 64 * 1024)) }
        let clock = ContinuousClock()
        let start = clock.now
        await dealer.close(linger: .milliseconds(300))
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(2), "close took \(elapsed)")
    }

    @Test func bindFailuresAreReportedAsBadInput() async throws {
        let (router, _) = try router()
        do {
            _ = try ZMQRouter(host: "127.0.0.1", port: router.port) { _ in }
            Issue.record("a second bind on the same port succeeded")
        } catch let error as RunnerError {
            #expect(error.description == "cannot listen on 127.0.0.1:\(router.port) for slaves: Address already in use")
        }
        await router.close(linger: .zero)
    }

    @Test(arguments: ["*", "0.0.0.0", "::"])
    func bindsEveryInterface(host: String) async throws {
        let events = ZMQEventQueue<ZMQRouter.Event>()
        let router: ZMQRouter
        do {
            router = try ZMQRouter(host: host, port: 0, handler: events.handler)
        } catch let error as RunnerError where host == "::" && error.description.contains("not supported") {
            return  // no IPv6 in this environment
        }
        #expect(router.port > 0)
        let (dealer, _) = try await connectedDealer(port: router.port)
        dealer.send(Array("any".utf8))
        let message = try #require(await events.next { $0.received != nil }?.received)
        #expect(message.peer.hasPrefix("127.0.0.1:"), "peer \(message.peer)")
        await dealer.close(linger: .zero)
        await router.close(linger: .zero)
    }

    @Test func endpoints() {
        #expect(ZMQAddress.tcpEndpoint(host: "*", port: 5557) == ("tcp://*:5557", true))
        #expect(ZMQAddress.tcpEndpoint(host: "", port: 0) == ("tcp://*:0", true))
        #expect(ZMQAddress.tcpEndpoint(host: "0.0.0.0", port: 1) == ("tcp://0.0.0.0:1", false))
        #expect(ZMQAddress.tcpEndpoint(host: "::", port: 2) == ("tcp://[::]:2", true))
        #expect(ZMQAddress.tcpEndpoint(host: "[::1]", port: 3) == ("tcp://[::1]:3", true))
        #expect(ZMQAddress.tcpEndpoint(host: "master.local", port: 4) == ("tcp://master.local:4", false))
        #expect(ZMQAddress.port(ofEndpoint: "tcp://[::]:54321") == 54321)
    }

    @Test func aBadAddressIsReportedAsBadInput() {
        do {
            _ = try ZMQDealer(identity: Self.identity, host: "no such host!", port: 5557) { _ in }
            Issue.record("a malformed address was accepted")
        } catch {
            #expect("\(error)".hasPrefix("cannot connect to the master at no such host!:5557: zmq_connect"), "\(error)")
        }
    }

    @Test func aBadIdentityIsRejected() {
        #expect(throws: RunnerError.self) { try ZMQDealer(identity: "", host: "127.0.0.1", port: 1) { _ in } }
        #expect(throws: RunnerError.self) {
            try ZMQDealer(identity: String(repeating: "x", count: 256), host: "127.0.0.1", port: 1) { _ in }
        }
    }
}
}
