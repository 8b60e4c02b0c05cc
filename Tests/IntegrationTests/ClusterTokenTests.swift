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

extension Integration {
    /// A slave whose wall clock is 180 s ahead (`faketime`, elapsed time untouched: machines disagree
    /// on wall time, not on how long a second is): requests/s and the count stay true on the master.
    @Suite("Clock skew", .sharedNginx, .timeLimit(.minutes(2)))
    struct ClockSkewRun {
        let locust: Locust
        init() throws { locust = try Locust() }

        @Test("One of two slaves 180 s ahead: the total equals nginx's, the summary's req/s is the test's 20, not a fraction")
        func skewedSlave() async throws {
            let nginx = try #require(NginxServer.current)
            try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/faketime"), "faketime is missing: make deps installs it")
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let before = nginx.loggedRequests()
            let master = try locust.start(
                ["-f", locust.binaries.testPlugin, "--master", "--headless", "-u", "20", "-r", "100", "-t", "6s", "--expect-slaves", "2",
                 "--master-bind-host", "127.0.0.1", "--master-bind-port", String(port), "--host", nginx.url, "--csv", directory.file("s"),
                 "--only-summary", "PacedUser"],
                in: directory)
            let honest = try locust.start(["-f", locust.binaries.testPlugin, "--slave", "--master-port", String(port)], in: directory)
            let skewed = try Subprocess(
                "/usr/bin/faketime", ["-f", "+180s", locust.binaries.locust, "-f", locust.binaries.testPlugin, "--slave", "--master-port", String(port)],
                directory: directory.path,
                environment: Locust.environment(home: directory.path, extra: ["FAKETIME_DONT_FAKE_MONOTONIC": "1"]), outputDirectory: directory)
            let result = await master.wait(timeout: .seconds(40))
            #expect(await honest.wait(timeout: .seconds(15)).exited(0))
            #expect(await skewed.wait(timeout: .seconds(15)).exited(0))
            #expect(result.exited(0), "\(result)")
            #expect(result.stderr.contains("s clock is 180 s ahead of this master's"), "\(result)")
            let logged = await nginx.settledLoggedRequests() - before
            let aggregated = try #require(try CSVTable.read(directory.file("s") + "_stats.csv").row(name: "Aggregated"))
            #expect(aggregated.int("Request Count") == logged)
            // 20 paced users at 1 request/s, each starting with one at once: 20-25 req/s (without the fix: 1.25).
            let rps = try #require(aggregated.double("Requests/s"))
            #expect(rps > 15 && rps < 30, "\(rps) req/s for a 20 req/s test")
        }
    }
}

extension Integration {
    /// `--slave -f -`: the plugin from the master, over an authenticated coordinator only.
    @Suite("The plugin from the master", .sharedNginx, .timeLimit(.minutes(2)))
    struct PluginFromMasterRun {
        let locust: Locust
        init() throws { locust = try Locust() }

        func master(port: Int, plugin: String, runTime: String, csv: String, in directory: TempDirectory, classes: [String]) throws -> Subprocess {
            let nginx = try #require(NginxServer.current)
            return try locust.start(
                ["-f", plugin, "--master", "--headless", "-u", "2", "-r", "100", "-t", runTime, "--expect-slaves", "1",
                 "--master-bind-host", "127.0.0.1", "--master-bind-port", String(port), "--host", nginx.url, "--csv", csv,
                 "--only-summary", "--cluster-token", "t0ken"] + classes,
                in: directory)
        }

        @Test("-f - with the token: the slave runs the master's plugin, counts equal nginx's; without a token it is refused")
        func fetchAndRun() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let refused = try await locust.run(["--slave", "-f", "-", "--master-port", "9"], in: directory, timeout: .seconds(15))
            #expect(refused.exited(2), "\(refused)")
            #expect(refused.stderrLines.last?.hasPrefix("locust: error: -f - runs the plugin the master sends, code received over the network") == true, "\(refused)")

            let port = try Loopback.freePort()
            let before = nginx.loggedRequests()
            let master = try master(port: port, plugin: locust.binaries.testPlugin, runTime: "3s", csv: directory.file("f"), in: directory, classes: ["PacedUser"])
            let slave = try locust.start(["--slave", "-f", "-", "--master-port", String(port), "--cluster-token", "t0ken"], in: directory)
            let result = await master.wait(timeout: .seconds(40))
            let slaveResult = await slave.wait(timeout: .seconds(15))
            #expect(result.exited(0), "\(result)")
            #expect(slaveResult.exited(0), "\(slaveResult)")
            #expect(slaveResult.stderr.contains("Got the master's plugin libTestTargets.so"), "\(slaveResult)")
            let logged = await nginx.settledLoggedRequests() - before
            let aggregated = try #require(try CSVTable.read(directory.file("f") + "_stats.csv").row(name: "Aggregated"))
            #expect(aggregated.int("Request Count") == logged && logged > 0)
        }

        @Test("A master restarted with another build: the -f - slave is refused, fetches the new plugin and joins")
        func newBuildIsFetchedAgain() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let first = try master(port: port, plugin: locust.binaries.testPlugin, runTime: "60s", csv: directory.file("a"), in: directory, classes: ["PacedUser"])
            let slave = try locust.start(["--slave", "-f", "-", "--master-port", String(port), "--cluster-token", "t0ken"], in: directory)
            let joined = await poll(timeout: .seconds(20)) { slave.stderrSoFar().contains("Connected to the master as") }
            try #require(joined, "the slave never joined the first master:\n\(slave.stderrSoFar())")
            first.send(SIGKILL)
            _ = await first.wait(timeout: .seconds(10))
            let second = try master(port: port, plugin: locust.binaries.shopPlugin, runTime: "2s", csv: directory.file("b"), in: directory, classes: [])
            let result = await second.wait(timeout: .seconds(60))
            let slaveResult = await slave.wait(timeout: .seconds(20))
            #expect(slaveResult.exited(0), "\(slaveResult)")
            #expect(slaveResult.stderr.contains("fetching its plugin again"), "\(slaveResult)")
            #expect(slaveResult.stderr.contains("Got the master's plugin libShop.so"), "\(slaveResult)")
            // The Shop's paths answer 404 on nginx (failures, exit 1): what counts is that its users ran.
            #expect(!result.exited(2), "\(result)")
            let aggregated = try #require(try CSVTable.read(directory.file("b") + "_stats.csv").row(name: "Aggregated"))
            #expect((aggregated.int("Request Count") ?? 0) > 0, "\(result)")
        }
    }
}
