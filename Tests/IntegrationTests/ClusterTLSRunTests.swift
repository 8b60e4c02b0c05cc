import Foundation
import Testing

extension Integration {
    /// `--cluster-tls-cert/--cluster-tls-key/--cluster-tls-ca`: a master with mutual TLS and two
    /// slaves with certificates its CA signed (one of them fetching the plugin with `-f -`, which
    /// mutual TLS allows without a token) run a test whose total equals nginx's count; a slave that
    /// does not trust the master, one without a certificate and one without TLS are refused with a
    /// line that names the missing option, exit 1, and never count.
    @Suite("A coordinator over TLS", .sharedNginx, .timeLimit(.minutes(2)))
    struct ClusterTLSRun {
        let locust: Locust
        init() throws { locust = try Locust() }

        func pki(_ name: String) -> String { locust.binaries.checkout + "/Tests/Fixtures/cluster-tls/" + name }

        func identity(_ name: String) -> [String] {
            ["--cluster-tls-cert", pki("\(name).pem"), "--cluster-tls-key", pki("\(name).key")]
        }

        @Test("Mutual TLS: two slaves (one with -f -) count what nginx served; untrusting, certificate-less and plain slaves are refused")
        func mutualTLS() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let before = nginx.loggedRequests()
            let master = try locust.start(
                locust.masterArguments(
                    port: port, users: 4, runTime: "3s", slaves: 2, csv: directory.file("t"),
                    extra: ["--host", nginx.url, "--cluster-tls-ca", pki("ca.pem")] + identity("master"), classes: ["PacedUser"]),
                in: directory)
            // Three that cannot join, one after the other (the master logs one line per 10 s).
            let untrusting = try await locust.run(
                locust.slaveArguments(port: port, extra: identity("slave") + ["--cluster-tls-ca", pki("other-ca.pem")]),
                in: directory, timeout: .seconds(20))
            #expect(untrusting.exited(1), "\(untrusting)")
            #expect(untrusting.stderr.contains("the master's certificate is not signed by --cluster-tls-ca"), "\(untrusting)")
            let bare = try await locust.run(
                locust.slaveArguments(port: port, extra: ["--cluster-tls-ca", pki("ca.pem")]), in: directory, timeout: .seconds(20))
            #expect(bare.exited(1), "\(bare)")
            #expect(bare.stderr.contains("the master asks for a client certificate signed by its --cluster-tls-ca"), "\(bare)")
            let plain = try await locust.run(locust.slaveArguments(port: port), in: directory, timeout: .seconds(20))
            #expect(plain.exited(1), "\(plain)")
            #expect(plain.stderr.contains("does it use TLS? (give this slave --cluster-tls-ca)"), "\(plain)")
            // The two real ones; the second gets its plugin from the master.
            let trusted = identity("slave") + ["--cluster-tls-ca", pki("ca.pem")]
            let slaves = [
                try locust.startSlave(port: port, in: directory, extra: trusted),
                try locust.startSlave(port: port, in: directory, plugin: "-", extra: trusted),
            ]
            let result = await master.wait(timeout: .seconds(40))
            var slaveResults: [ProcessOutput] = []
            for slave in slaves { slaveResults.append(await slave.wait(timeout: .seconds(15))) }
            #expect(result.exited(0), "\(result)")
            for slaveResult in slaveResults { #expect(slaveResult.exited(0), "\(slaveResult)") }
            #expect(slaveResults[1].stderr.contains("Got the master's plugin libTestTargets.so"), "\(slaveResults[1])")
            #expect(result.stderr.contains("A peer failed the coordinator's TLS handshake and was dropped"), "\(result)")
            // Slaves are named by their own address, not the tunnel's.
            #expect(result.stderr.contains(", 127.0.0.1:") && !result.stderr.contains("/swiftlocust-coordinator-"), "\(result)")
            let logged = await nginx.settledLoggedRequests() - before
            let aggregated = try #require(try CSVTable.read(directory.file("t") + "_stats.csv").row(name: "Aggregated"))
            #expect(aggregated.int("Request Count") == logged)
            #expect(logged > 0)
        }

        @Test("TLS without a CA on the master: -f - is refused, a master bound to every interface warns")
        func tlsWithoutClientCertificates() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let refused = try await locust.run(
                ["--slave", "-f", "-", "--master-port", "9", "--cluster-tls-ca", pki("ca.pem")], in: directory, timeout: .seconds(15))
            #expect(refused.exited(2), "\(refused)")
            #expect(refused.stderrLines.last?.contains("certificates for mutual TLS") == true, "\(refused)")
            let port = try Loopback.freePort()
            let master = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--master", "--headless", "-u", "1", "-t", "1s", "--expect-slaves", "1",
                 "--expect-slaves-max-wait", "1s", "--master-bind-host", "0.0.0.0", "--master-bind-port", String(port),
                 "--host", "http://127.0.0.1:9"] + identity("master"),
                in: directory, timeout: .seconds(20))
            #expect(master.stderr.contains("with TLS but without --cluster-token or --cluster-tls-ca: anyone who reaches it can join the test"), "\(master)")
        }
    }
}
