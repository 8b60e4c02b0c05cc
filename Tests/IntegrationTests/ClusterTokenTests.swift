import Foundation
import Testing

extension Integration {
    /// `--cluster-token`: a master and slaves with the same token run a test whose total equals
    /// nginx's count; a slave with another token, or none, is refused at its first exchange with a
    /// clear line on both sides and never counts.
    @Suite("An authenticated coordinator", .sharedNginx, .timeLimit(.minutes(2)))
    struct ClusterTokenRun {
        let locust: Locust
        init() throws { locust = try Locust() }

        @Test("Same token (flag, file, LOCUST_CLUSTER_TOKEN): the test runs, counts equal nginx's; another token or none is refused")
        func tokenGuardsTheCluster() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            try directory.write("token", "correct horse battery staple\n")
            let port = try Loopback.freePort()
            let before = nginx.loggedRequests()
            let master = try locust.start(
                ["-f", locust.binaries.testPlugin, "--master", "--headless", "-u", "4", "-r", "100", "-t", "3s", "--expect-slaves", "2",
                 "--master-bind-host", "127.0.0.1", "--master-bind-port", String(port), "--host", nginx.url, "--csv", directory.file("t"),
                 "--only-summary", "--cluster-token-file", directory.file("token"), "PacedUser"],
                in: directory)
            // Two intruders first: no token, and another one. Each is refused and exits 1.
            let none = try await locust.run(["-f", locust.binaries.testPlugin, "--slave", "--master-port", String(port)], in: directory, timeout: .seconds(15))
            #expect(none.exited(1), "\(none)")
            #expect(none.stderr.contains("refused this slave's handshake") && none.stderr.contains("it needs --cluster-token"), "\(none)")
            let wrong = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--slave", "--master-port", String(port), "--cluster-token", "guess"], in: directory,
                timeout: .seconds(15))
            #expect(wrong.exited(1), "\(wrong)")
            #expect(wrong.stderr.contains("its --cluster-token differs from this slave's"), "\(wrong)")
            // Then the two real slaves: the token as a flag and from the environment.
            let slaves = [
                try locust.start(
                    ["-f", locust.binaries.testPlugin, "--slave", "--master-port", String(port), "--cluster-token", "correct horse battery staple"],
                    in: directory),
                try locust.start(
                    ["-f", locust.binaries.testPlugin, "--slave", "--master-port", String(port)], in: directory,
                    environment: ["LOCUST_CLUSTER_TOKEN": "correct horse battery staple"]),
            ]
            let result = await master.wait(timeout: .seconds(40))
            for slave in slaves { #expect(await slave.wait(timeout: .seconds(15)).exited(0)) }
            #expect(result.exited(0), "\(result)")
            #expect(result.stderr.contains("A peer failed the coordinator's handshake"), "the master says it dropped them:\n\(result)")
            #expect(!result.stderr.contains("without --cluster-token"), "\(result)")
            let logged = await nginx.settledLoggedRequests() - before
            let aggregated = try #require(try CSVTable.read(directory.file("t") + "_stats.csv").row(name: "Aggregated"))
            #expect(aggregated.int("Request Count") == logged)
            #expect(logged > 0)
        }
    }
}
