import Glibc
import Synchronization
import Testing
@testable import LocustRunner

/// The order of a router's events when its I/O thread is busy (a handler that blocks once, as a
/// loaded master might) while a worker leaves or reconnects: connection events and messages travel
/// separately inside libzmq, and file descriptors are reused at once.
extension ZMQSocketSuites {
@Suite struct ZMQEventOrderTests {
    static let identity = "host_0123456789abcdef0123456789abcdef"

    /// True until taken once.
    final class Once: Sendable {
        private let armed = Atomic<Bool>(true)

        func take() -> Bool { armed.exchange(false, ordering: .relaxed) }
    }

    /// A router whose handler blocks 300 ms on the first event that `blocksOn` (so that what the
    /// peer does meanwhile piles up inside libzmq).
    func busyRouter(
        blocksOn: @escaping @Sendable (ZMQRouter.Event) -> Bool
    ) throws -> (ZMQRouter, ZMQEventQueue<ZMQRouter.Event>) {
        let events = ZMQEventQueue<ZMQRouter.Event>()
        let once = Once()
        let router = try ZMQRouter(host: "127.0.0.1", port: 0) { event in
            if blocksOn(event), once.take() { usleep(300_000) }
            events.push(event)
        }
        return (router, events)
    }

    func connectedDealer(port: Int) async throws -> (ZMQDealer, ZMQEventQueue<ZMQDealer.Event>) {
        let events = ZMQEventQueue<ZMQDealer.Event>()
        let dealer = try ZMQDealer(identity: Self.identity, host: "127.0.0.1", port: port, handler: events.handler)
        try #require(await events.next { $0.isConnected } != nil, "the dealer did not connect")
        return (dealer, events)
    }

    @Test func aWorkersLastMessagesComeBeforeItsDisconnection() async throws {
        let (router, events) = try busyRouter { $0.received != nil }
        let (dealer, _) = try await connectedDealer(port: router.port)
        dealer.send(Array("hello".utf8))
        for index in 0..<50 { dealer.send(Array("last \(index)".utf8)) }
        await dealer.close(linger: .seconds(2))

        var payloads: [String] = []
        var gone: (identity: [UInt8]?, peer: String)?
        while gone == nil, let event = await events.next(where: { $0.received != nil || $0.disconnected != nil }) {
            if let message = event.received { payloads.append(String(decoding: message.payload, as: UTF8.self)) }
            gone = event.disconnected
        }
        #expect(payloads == ["hello"] + (0..<50).map { "last \($0)" })
        #expect(gone?.identity == Array(Self.identity.utf8))
        await router.close(linger: .zero)
    }

    @Test func aWorkerReconnectingWhileTheMasterIsBusyDoesNotLookGone() async throws {
        // Busy from the first connection on: "hello" is still queued when the new one takes over.
        let (router, events) = try busyRouter { $0.connectedPeer != nil }
        let (dealer, dealerEvents) = try await connectedDealer(port: router.port)
        dealer.send(Array("hello".utf8))
        dealer.reconnect()
        #expect(await dealerEvents.next { $0.isDisconnected } != nil)
        #expect(await dealerEvents.next { $0.isConnected } != nil)
        dealer.send(Array("after".utf8))

        var before: [ZMQRouter.Event] = []
        let after = await events.next(skipped: &before) { $0.received?.payload == Array("after".utf8) }
        try #require(after != nil, "the message after the reconnection did not arrive")
        let identity = Array(Self.identity.utf8)
        #expect(after?.received?.identity == identity)
        // "hello" was still queued when the new connection took the identity over: libzmq then
        // hands it out under a generated id; it must come with the worker's.
        let hello = before.first { $0.received != nil }?.received
        #expect(hello?.payload == Array("hello".utf8))
        #expect(hello?.identity == identity)
        router.send(Array("still there".utf8), to: identity)
        #expect(await dealerEvents.next { $0.payload != nil }?.payload == Array("still there".utf8))
        // The old connection's end may come before or (as nil) after, never as this worker leaving.
        let afterwards = events.drain()
        #expect(!afterwards.contains { $0.disconnected?.identity == identity }, "\(before) then \(afterwards)")
        await dealer.close(linger: .zero)
        await router.close(linger: .zero)
    }
}
}
