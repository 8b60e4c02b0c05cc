import CZeroMQ
import Foundation
import Testing
@testable import LocustRunner

/// `--cluster-token`: CURVE keys derived from the token on both ends. Peers with the same token talk;
/// another token, or none, fails the first exchange on both sides and no message gets through.
extension ZMQSocketSuites {
@Suite struct ZMQCurveTests {
    static let identity = "host_0123456789abcdef0123456789abcdef"

    func options(_ token: String?) -> ZMQSocketOptions {
        var options = ZMQSocketOptions()
        options.curve = token.flatMap { ZMQCurve(token: $0) }
        return options
    }

    @Test func keysFollowFromTheTokenAlone() throws {
        let a = try #require(ZMQCurve(token: "s3cret"))
        #expect(ZMQCurve(token: "s3cret") == a)
        #expect(ZMQCurve(token: "other") != a)
        #expect(a.serverPublic.count == 32 && a.serverPublic != a.serverSecret && a.clientPublic != a.serverPublic)
        #expect(ZMQCurve.publicKey(a.serverSecret) == a.serverPublic)
    }

    @Test func theSameTokenConnectsAndCarriesMessages() async throws {
        let routerEvents = ZMQEventQueue<ZMQRouter.Event>()
        let router = try ZMQRouter(host: "127.0.0.1", port: 0, options: options("s3cret"), handler: routerEvents.handler)
        let dealerEvents = ZMQEventQueue<ZMQDealer.Event>()
        let dealer = try ZMQDealer(identity: Self.identity, host: "127.0.0.1", port: router.port, options: options("s3cret"), handler: dealerEvents.handler)
        try #require(await dealerEvents.next { $0.isConnected } != nil)
        dealer.send(Array("over curve".utf8))
        #expect(await routerEvents.next { $0.received != nil }?.received?.payload == Array("over curve".utf8))
        router.send(Array("back".utf8), to: Array(Self.identity.utf8))
        #expect(await dealerEvents.next { $0.payload != nil }?.payload == Array("back".utf8))
        await dealer.close(linger: .zero)
        await router.close(linger: .zero)
    }

    @Test(arguments: [("another", "s3cret"), (nil, "s3cret"), ("s3cret", nil)] as [(String?, String?)])
    func anotherTokenOrNoneFailsTheHandshakeOnBothSides(slave: String?, master: String?) async throws {
        let routerEvents = ZMQEventQueue<ZMQRouter.Event>()
        let router = try ZMQRouter(host: "127.0.0.1", port: 0, options: options(master), handler: routerEvents.handler)
        let dealerEvents = ZMQEventQueue<ZMQDealer.Event>()
        let dealer = try ZMQDealer(identity: Self.identity, host: "127.0.0.1", port: router.port, options: options(slave), handler: dealerEvents.handler)
        dealer.send(Array("let me in".utf8))
        let failed = await routerEvents.next { $0.handshakeFailure != nil || $0.received != nil }
        #expect(failed?.handshakeFailure != nil, "the master saw \(String(describing: failed))")
        if slave != nil || master != nil {
            let seen = await dealerEvents.next { $0.handshakeFailure != nil || $0.isConnected }
            #expect(seen?.handshakeFailure != nil, "the slave saw \(String(describing: seen))")
        }
        await dealer.close(linger: .zero)
        await router.close(linger: .zero)
    }
}
}
