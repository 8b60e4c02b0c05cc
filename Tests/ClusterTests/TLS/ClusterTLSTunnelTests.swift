import Foundation
import Synchronization
import Testing
@testable import LocustRunner

/// Coordinator TLS in-process: a ``ClusterTLSListener`` in front of a ROUTER on a Unix domain socket,
/// a ``ClusterTLSConnector`` behind a DEALER, both on loopback with the test PKI of
/// `Tests/Fixtures/cluster-tls` (`scripts/make-test-certs.sh`). Messages cross in both directions,
/// the router names the slave by its real address, and each wrong setting fails the handshake on
/// both sides with a reason that names the option.
extension ZMQSocketSuites {
@Suite struct ClusterTLSTunnelTests {
    static let identity = "host_0123456789abcdef0123456789abcdef"
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Fixtures/cluster-tls").standardized.path

    static func file(_ name: String) -> String { "\(fixtures)/\(name)" }

    /// Settings parsed from the command line, as a user gives them.
    static func settings(_ role: String, cert: String? = nil, ca: String? = nil) throws -> ClusterTLSSettings? {
        var arguments = [role]
        if let cert { arguments += ["--cluster-tls-cert", file("\(cert).pem"), "--cluster-tls-key", file("\(cert).key")] }
        if let ca { arguments += ["--cluster-tls-ca", file("\(ca).pem")] }
        return try ClusterTLSSettings(options: RunOptions.parse(arguments), role: role == "--master" ? .master : .slave)
    }

    /// A master's side: router on a private socket, listener on `host`; failures collected.
    final class Master: Sendable {
        let router: ZMQRouter
        let listener: ClusterTLSListener
        let events = ZMQEventQueue<ZMQRouter.Event>()
        let failures = ZMQEventQueue<String>()

        init(cert: String = "master", ca: String? = "ca", host: String = "127.0.0.1") throws {
            let settings = try #require(try ClusterTLSTunnelTests.settings("--master", cert: cert, ca: ca))
            let directory = try PrivateDirectory.make("test", for: "a test")
            router = try ZMQRouter(ipcPath: ClusterTLSListener.routerPath(in: directory), handler: events.handler)
            listener = try ClusterTLSListener(host: host, port: 0, settings: settings, directory: directory) { [failures] peer, reason in
                failures.push("\(reason) (\(peer))")
            }
        }

        func close() async {
            await router.close(linger: .zero)
            await listener.close()
        }
    }

    /// A slave's side: connector and dealer.
    final class Slave: Sendable {
        let connector: ClusterTLSConnector
        let dealer: ZMQDealer
        let events = ZMQEventQueue<ZMQDealer.Event>()
        let tls = ZMQEventQueue<ClusterTLSConnector.Event>()

        init(host: String = "127.0.0.1", port: Int, cert: String? = "slave", ca: String? = "ca") throws {
            let settings = try #require(try ClusterTLSTunnelTests.settings("--slave", cert: cert, ca: ca))
            connector = try ClusterTLSConnector(masterHost: host, masterPort: port, settings: settings, onEvent: tls.handler)
            dealer = try ZMQDealer(identity: ClusterTLSTunnelTests.identity, host: host, port: port, ipcPath: connector.path, handler: events.handler)
        }

        /// The first refusal the tunnel reports (skipping `.up` and `.unreachable`), or nil.
        func refusal() async -> String? {
            guard case .refused(let reason)? = await tls.next(where: { if case .refused = $0 { true } else { false } }) else { return nil }
            return reason
        }

        func close() async {
            await dealer.close(linger: .zero)
            await connector.close()
        }
    }

    @Test func mutualTLSCarriesMessagesBothWaysAndNamesTheSlaveByItsAddress() async throws {
        let master = try Master()
        let slave = try Slave(port: master.listener.port)
        try #require(await slave.events.next { $0.isConnected } != nil, "no ZMTP handshake through the tunnel: \(master.failures.drain()) \(slave.tls.drain())")
        slave.dealer.send(Array("over tls".utf8))
        let received = try #require(await master.events.next { $0.received != nil }?.received)
        #expect(received.payload == Array("over tls".utf8))
        #expect(received.identity == Array(Self.identity.utf8))
        let address = try #require(master.listener.peer(ofRouterPeer: received.peer), "the router's name \(received.peer) is no tunnel's")
        #expect(address.hasPrefix("127.0.0.1:") && address != "127.0.0.1:\(master.listener.port)", "\(address)")
        // A large message, both ways (the glue handlers' back-pressure, TLS records split it).
        let big = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        master.router.send(big, to: Array(Self.identity.utf8))
        #expect(await slave.events.next(within: .seconds(10)) { $0.payload != nil }?.payload == big)
        slave.dealer.send(big)
        #expect(await master.events.next(within: .seconds(10)) { $0.received != nil }?.received?.payload == big)
        // The slave goes: the router sees its connection close, under the same name.
        await slave.close()
        let gone = await master.events.next { $0.disconnected != nil }?.disconnected
        #expect(gone?.peer == received.peer)
        #expect(master.failures.drain().isEmpty)
        await master.close()
    }

    @Test func aSlaveWithoutACertificateOfTheCAIsRefusedOnBothSides() async throws {
        // No client certificate at all.
        let master = try Master()
        let bare = try Slave(port: master.listener.port, cert: nil)
        let bareRefusal = await bare.refusal()
        #expect(bareRefusal?.contains("asks for a client certificate") == true, "\(String(describing: bareRefusal))")
        let bareFailure = await master.failures.next()
        #expect(bareFailure?.contains("showed no client certificate") == true, "\(String(describing: bareFailure))")
        await bare.close()
        // A certificate that another CA signed.
        let rogue = try Slave(port: master.listener.port, cert: "rogue")
        let rogueRefusal = await rogue.refusal()
        #expect(rogueRefusal?.contains("refused this slave's certificate") == true, "\(String(describing: rogueRefusal))")
        let rogueFailure = await master.failures.next()
        #expect(rogueFailure?.contains("not signed by this master's --cluster-tls-ca") == true, "\(String(describing: rogueFailure))")
        await rogue.close()
        #expect(master.events.drain().allSatisfy { $0.received == nil }, "nothing reached the router")
        await master.close()
    }

    @Test func aMasterWhoseCertificateTheSlaveDoesNotTrustIsRefused() async throws {
        let master = try Master(cert: "rogue", ca: nil)
        let slave = try Slave(port: master.listener.port, cert: nil)
        let refusal = await slave.refusal()
        #expect(refusal?.contains("not signed by --cluster-tls-ca") == true, "\(String(describing: refusal))")
        let failure = await master.failures.next()
        #expect(failure?.contains("does not trust this master's certificate") == true, "\(String(describing: failure))")
        await slave.close()
        await master.close()
    }

    @Test func aMasterCertificateForAnotherAddressIsRefused() async throws {
        // The test master certificate names 127.0.0.1, ::1, localhost and 10.77.0.1, not 127.0.0.2.
        let master = try Master(host: "127.0.0.2")
        let slave = try Slave(host: "127.0.0.2", port: master.listener.port)
        let refusal = await slave.refusal()
        #expect(refusal?.contains("not for the address or name") == true, "\(String(describing: refusal))")
        await slave.close()
        await master.close()
        // By name: localhost is in the certificate (sent as SNI, checked against its DNS entries).
        let local = try Master()
        let named = try Slave(host: "localhost", port: local.listener.port)
        #expect(await named.events.next { $0.isConnected } != nil, "\(named.tls.drain()) \(local.failures.drain())")
        await named.close()
        await local.close()
    }

    @Test func plainAndTLSPeersDoNotMix() async throws {
        // A slave without TLS at a TLS master: the master says it does not speak TLS.
        let master = try Master()
        let plain = ZMQEventQueue<ZMQDealer.Event>()
        let dealer = try ZMQDealer(identity: Self.identity, host: "127.0.0.1", port: master.listener.port, handler: plain.handler)
        let failure = await master.failures.next()
        #expect(failure?.contains("does not speak TLS") == true, "\(String(describing: failure))")
        await dealer.close(linger: .zero)
        await master.close()
        // A TLS slave at a master without TLS.
        let router = try ZMQRouter(host: "127.0.0.1", port: 0, handler: { _ in })
        let slave = try Slave(port: router.port)
        let refusal = await slave.refusal()
        // The master's greeting is refused as no TLS, or its reset overtakes the greeting (on a busy
        // machine): either way the reason names the missing --cluster-tls-cert.
        #expect(refusal?.contains("--cluster-tls-cert") == true && refusal?.contains("does not speak TLS") == true, "\(String(describing: refusal))")
        await slave.close()
        await router.close(linger: .zero)
    }

    @Test func anUnreachableMasterIsNoRefusal() async throws {
        // A port that was just free: nothing listens there once its listener is gone.
        let port = try { () throws -> Int in try ZMQRawTCP.listen().port }()
        let slave = try Slave(port: port)
        let first = await slave.tls.next()
        guard case .unreachable(let reason)? = first else {
            Issue.record("expected unreachable, got \(String(describing: first))")
            return await slave.close()
        }
        #expect(reason.contains("connection refused"), "\(reason)")
        await slave.close()
    }

    @Test func handshakesInProgressAreBounded() async throws {
        let master = try Master()
        var idle: [ZMQRawTCP] = []
        for _ in 0..<ClusterTLSListener.maxPendingHandshakes { idle.append(try ZMQRawTCP.connect(port: master.listener.port)) }
        // Wait until the listener has counted them all in: the next one is closed at once.
        var extra = try ZMQRawTCP.connect(port: master.listener.port)
        var failure = await master.failures.next(within: .seconds(2))
        for _ in 0..<20 where failure == nil {
            extra = try ZMQRawTCP.connect(port: master.listener.port)
            failure = await master.failures.next(within: .milliseconds(200))
        }
        #expect(failure?.contains("more than \(ClusterTLSListener.maxPendingHandshakes) TLS handshakes at once") == true, "\(String(describing: failure))")
        #expect(extra.waitForClose())
        idle = []
        await master.close()
    }
}
}
