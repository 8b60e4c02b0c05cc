import Testing
@testable import LocustRunner

/// The probe a slave sends when its master keeps closing connections before the handshake: a real
/// libzmq ROUTER names its mechanism (CURVE with `--cluster-token`, NULL without), a peer that is not
/// ZMTP (a TLS listener, anything else) or no peer at all is told apart, and the slave's line follows.
extension ZMQSocketSuites {
@Suite struct ZMTPGreetingProbeTests {
    @Test(arguments: [("s3cret", "CURVE"), (nil, "NULL")] as [(String?, String)])
    func aRouterNamesItsMechanism(token: String?, mechanism: String) async throws {
        var options = ZMQSocketOptions()
        options.curve = token.flatMap { ZMQCurve(token: $0) }
        let events = ZMQEventQueue<ZMQRouter.Event>()
        let router = try ZMQRouter(host: "127.0.0.1", port: 0, options: options, handler: events.handler)
        #expect(await ZMTPGreetingProbe.probe(host: "127.0.0.1", port: router.port) == .mechanism(mechanism))
        await router.close(linger: .zero)
    }

    @Test func aPeerThatClosesOrAnswersOtherwiseIsNotZMTP() async throws {
        let (listener, port) = try ZMQRawTCP.listen()
        // Closes at once, as a TLS listener does with bytes that are no ClientHello.
        let closing = Task { await ZMTPGreetingProbe.probe(host: "127.0.0.1", port: port) }
        do { _ = try listener.accept() }
        #expect(await closing.value == .notZMTP)
        // Answers, but not with a ZMTP greeting (a TLS alert starts with 0x15).
        let answering = Task { await ZMTPGreetingProbe.probe(host: "127.0.0.1", port: port) }
        let peer = try listener.accept()
        #expect(try peer.read(exactly: ZMTPGreetingProbe.greetingStart.count) == ZMTPGreetingProbe.greetingStart)
        try peer.write([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46])
        #expect(await answering.value == .notZMTP)
        _ = peer
    }

    @Test func aSilentPeerIsNotZMTPOnceTheTimeoutPasses() async throws {
        let (listener, port) = try ZMQRawTCP.listen()
        let probing = Task { await ZMTPGreetingProbe.probe(host: "127.0.0.1", port: port, timeout: .milliseconds(200)) }
        let peer = try listener.accept()
        #expect(await probing.value == .notZMTP)
        _ = peer
    }

    @Test func aClosedPortIsUnreachable() async throws {
        let port = try { () throws -> Int in
            let (listener, port) = try ZMQRawTCP.listen()
            _ = listener
            return port
        }()
        #expect(await ZMTPGreetingProbe.probe(host: "127.0.0.1", port: port) == .unreachable)
    }

    @Test func greetingsAreParsedStrictly() {
        var greeting = ZMTPGreetingProbe.greetingStart + [0] + Array("CURVE".utf8)
        greeting += [UInt8](repeating: 0, count: ZMTPGreetingProbe.greetingLength - greeting.count)
        #expect(ZMTPGreetingProbe.mechanism(inGreeting: greeting) == "CURVE")
        #expect(ZMTPGreetingProbe.mechanism(inGreeting: Array(greeting.prefix(40))) == nil)
        var noSignature = greeting
        noSignature[9] = 0x00
        #expect(ZMTPGreetingProbe.mechanism(inGreeting: noSignature) == nil)
        var noName = greeting
        for index in 12..<32 { noName[index] = 0 }
        #expect(ZMTPGreetingProbe.mechanism(inGreeting: noName) == nil)
    }

    @Test func theSlavesLineFollowsTheAnswer() {
        func reason(_ token: Bool, _ answer: ZMTPGreetingProbe.Answer) -> String {
            ZMTPGreetingProbe.closedEarlyReason(closed: 5, slaveHasToken: token, answer: answer)
        }
        #expect(reason(false, .mechanism("CURVE")) == "refused this slave's handshake (it speaks CURVE): it needs --cluster-token")
        #expect(reason(true, .mechanism("NULL")).hasSuffix("it has no --cluster-token, this slave has one"))
        #expect(reason(false, .mechanism("NULL")).contains("5 times in a row, though it speaks ZMTP with NULL"))
        #expect(reason(false, .notZMTP).hasSuffix("does not answer as a ZMTP peer: does it use TLS? (give this slave --cluster-tls-ca)"))
        #expect(reason(false, .unreachable).hasSuffix("5 times in a row: does it use TLS? (give this slave --cluster-tls-ca)"))
    }
}
}
