import Foundation
import Testing

extension Integration {
    /// Task sets, tags, fixed counts and test hooks on real runs against nginx, standalone and on a
    /// master with two slaves: what nginx served says which tasks ran.
    @Suite("Task sets, tags, fixed counts and hooks", .sharedNginx, .timeLimit(.minutes(3)))
    struct ScenarioModel {
        let locust: Locust
        init() throws { locust = try Locust() }

        /// The `t=` names nginx served since `skipping`, with their counts.
        static func served(_ nginx: NginxServer, skipping: Int) -> [String: Int] {
            var counts: [String: Int] = [:]
            for entry in nginx.loggedEntries(skipping: skipping) {
                guard let range = entry.request.range(of: "?t=") else { continue }
                let name = entry.request[range.upperBound...].split(separator: " ").first.map(String.init) ?? ""
                counts[name, default: 0] += 1
            }
            return counts
        }

        @Test("-T admin read -E slow: only the tagged tasks run, inside the set too")
        func tagsSelectAndExclude() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let before = nginx.loggedRequests()
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "TaggedUser", host: nginx.url, users: 4, runTime: "2s", csvPrefix: directory.file("t"),
                    extra: ["-T", "admin", "read", "-E", "slow"]),
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            _ = await nginx.settledLoggedRequests()
            let served = Self.served(nginx, skipping: before)
            #expect(Set(served.keys) == ["read", "admin-report"], "\(served)")
            #expect((served["read"] ?? 0) > 20 && (served["admin-report"] ?? 0) > 20, "\(served)")
        }

        @Test("A sequence runs in order, its hooks around each round; a class with no task left is not spawned")
        func sequenceOrderAndEmptyClasses() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let before = nginx.loggedRequests()
            let result = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--host", nginx.url, "--headless", "-u", "2", "-r", "10", "-t", "2s",
                 "--only-summary", "TaggedUser", "FixedUser", "-T", "checkout"],
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            #expect(result.stderr.contains("FixedUser has no tasks left after filtering by --tags/--exclude-tags: it is not spawned"), "\(result)")
            _ = await nginx.settledLoggedRequests()
            let names = nginx.loggedEntries(skipping: before).compactMap { entry -> String? in
                entry.request.range(of: "?t=").flatMap { entry.request[$0.upperBound...].split(separator: " ").first.map(String.init) }
            }
            // FixedUser was dropped, so both users are TaggedUsers running only the sequence; their lines
            // interleave, so the order shows in the counts per round.
            let counts = Dictionary(names.map { ($0, 1) }, uniquingKeysWith: +)
            #expect(Set(counts.keys).isSubset(of: ["seq-start", "seq-1", "seq-2", "seq-3", "seq-stop"]), "\(counts)")
            let rounds = counts["seq-3"] ?? 0
            #expect(rounds > 5, "\(counts)")
            // In order, weight 2 twice: each round is start, 1, 2, 2, 3, stop (the last may be cut by the stop).
            #expect(abs((counts["seq-2"] ?? 0) - 2 * rounds) <= 4, "\(counts)")
            #expect(abs((counts["seq-start"] ?? 0) - rounds) <= 2 && abs((counts["seq-1"] ?? 0) - rounds) <= 2, "\(counts)")
            #expect(abs((counts["seq-stop"] ?? 0) - rounds) <= 2, "\(counts)")

            let none = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--host", nginx.url, "--headless", "-t", "1s", "TaggedUser", "-T", "nothing"],
                in: directory, timeout: .seconds(20))
            #expect(none.exited(2), "\(none)")
            #expect(none.stderrLines == ["locust: error: no task of TaggedUser is left after filtering by --tags/--exclude-tags"], "\(none)")
        }

        @Test("Master and 2 slaves: FixedUser's 3 users cluster-wide, the master's -E on every slave, hooks on every process")
        func clusterFixedCountTagsAndHooks() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let hookLog = directory.file("hooks.log")
            let environment = ["LOCUST_TEST_HOOK_LOG": hookLog]
            let before = nginx.loggedRequests()
            let master = try locust.start(
                ["-f", locust.binaries.testPlugin, "--master", "--headless", "-u", "11", "-r", "100", "-t", "3s",
                 "--expect-slaves", "2", "--master-bind-host", "127.0.0.1", "--master-bind-port", String(port),
                 "--host", nginx.url, "--csv", directory.file("c"), "--only-summary",
                 // Class names before -E, which takes every word up to the next option (as Locust's).
                 "FixedUser", "FillerUser", "TaggedUser", "-E", "checkout", "slow"],
                in: directory, environment: environment)
            let slaves = try (0..<2).map { _ in
                try locust.start(["-f", locust.binaries.testPlugin, "--slave", "--master-port", String(port)], in: directory, environment: environment)
            }
            let result = await master.wait(timeout: .seconds(60))
            let slaveResults = await slaves.asyncMap { await $0.wait(timeout: .seconds(15)) }
            #expect(result.exited(0), "\(result)")
            for slave in slaveResults { #expect(slave.exited(0), "\(slave)") }
            #expect(ClusterRun.spawnedUsers(result.stderr) == ["FixedUser": 3, "FillerUser": 4, "TaggedUser": 4], "\(result.stderr)")

            let logged = await nginx.settledLoggedRequests() - before
            let served = Self.served(nginx, skipping: before)
            #expect(served["fixed-start"] == 3, "3 FixedUsers across both slaves: \(served)")
            #expect(served["filler-start"] == 4, "\(served)")
            #expect(served.keys.allSatisfy { !$0.hasPrefix("seq") && $0 != "admin-slow" }, "the master's -E reached the slaves: \(served)")
            #expect((served["untagged"] ?? 0) > 0 && (served["admin-report"] ?? 0) > 0, "\(served)")
            let aggregated = try #require(try CSVTable.read(directory.file("c") + "_stats.csv").row(name: "Aggregated"))
            // The stop (no --stop-timeout) cuts off requests in flight: the summary counts them apart.
            let cutOff = ClusterRun.interrupted(result.stdout)
            #expect((aggregated.int("Request Count") ?? -1) + cutOff == logged, "\(cutOff) cut off")

            let hooks = try String(contentsOfFile: hookLog, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(hooks.filter { $0 == "start master \(nginx.url)" }.count == 1, "\(hooks)")
            #expect(hooks.filter { $0 == "start slave \(nginx.url)" }.count == 2, "\(hooks)")
            #expect(hooks.filter { $0 == "stop master" }.count == 1 && hooks.filter { $0 == "stop slave" }.count == 2, "\(hooks)")
        }

        @Test("A test_start hook that throws stops the test before any request: exit code 1, the message logged")
        func failingStartHook() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let before = nginx.loggedRequests()
            let result = try await locust.run(
                locust.headlessArguments(userClass: "CountingUser", host: nginx.url, users: 2, runTime: "5s", csvPrefix: directory.file("h")),
                in: directory, environment: ["LOCUST_TEST_HOOK_FAIL": "1"], timeout: .seconds(30))
            #expect(result.exited(1), "\(result)")
            #expect(result.stderr.contains("The test_start hook failed: SeedFailed(the fixtures could not be loaded)"), "\(result)")
            #expect(result.stderr.contains("stopping test"), "\(result)")
            #expect(result.seconds < 4, "the test went on after the hook failed: \(result.seconds) s")
            #expect(await nginx.settledLoggedRequests() == before)
        }
    }
}
