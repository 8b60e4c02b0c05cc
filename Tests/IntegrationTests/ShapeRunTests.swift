import Foundation
import Testing

extension Integration {
    /// A plugin's load shapes on real runs: headless, on a master with two slaves; the user count
    /// second by second from the history CSV.
    @Suite("Load shapes", .sharedNginx, .timeLimit(.minutes(2)))
    struct ShapeRun {
        let locust: Locust
        init() throws { locust = try Locust() }

        /// The aggregated history's user counts, one per second.
        static func userCounts(_ prefix: String) throws -> [Int] {
            try CSVTable.read(prefix + "_stats_history.csv").rows.filter { $0["Name"] == "Aggregated" }.compactMap { $0.int("User Count") }
        }

        @Test("--shape pulse: 2 users for 2 s, 4 for 2 s, then the shape ends the test; -u and -r are not used")
        func headlessShape() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("pulse")
            let result = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--host", nginx.url, "--headless", "-u", "50", "--shape", "pulse",
                 "--csv", prefix, "--only-summary", "PacedUser"],
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            #expect(result.stderr.contains("Running the load shape pulse"), "\(result)")
            #expect(result.stderr.contains("The load shape pulse ended, stopping test"), "\(result)")
            #expect(result.seconds >= 3.5 && result.seconds < 10, "a 4 s shape ran \(result.seconds) s")
            let counts = try Self.userCounts(prefix)
            #expect(counts.contains(2) && counts.max() == 4, "\(counts)")
            let firstFour = try #require(counts.firstIndex(of: 4))
            #expect(firstFour >= 1 && counts[..<firstFour].allSatisfy { $0 <= 2 }, "\(counts)")
        }

        @Test("A shape on a master drives its two slaves: the cluster's users follow it; a shape picks classes")
        func clusterShapeWithClasses() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let prefix = directory.file("classes")
            let master = try locust.start(
                ["-f", locust.binaries.testPlugin, "--master", "--headless", "--shape", "classes", "--expect-slaves", "2",
                 "--master-bind-host", "127.0.0.1", "--master-bind-port", String(port), "--host", nginx.url, "--csv", prefix,
                 "--only-summary", "PacedUser", "FillerUser"],
                in: directory)
            let slaves = try (0..<2).map { _ in
                try locust.start(["-f", locust.binaries.testPlugin, "--slave", "--master-port", String(port)], in: directory)
            }
            let before = nginx.loggedRequests()
            let result = await master.wait(timeout: .seconds(40))
            for slave in slaves { #expect(await slave.wait(timeout: .seconds(15)).exited(0)) }
            #expect(result.exited(0), "\(result)")
            #expect(result.stderr.contains("The load shape classes ended, stopping test"), "\(result)")
            #expect(result.stderr.contains("All users spawned: {\"PacedUser\": 2} (2 total users)"), "\(result.stderr)")
            #expect(result.stderr.contains("All users spawned: {\"FillerUser\": 3} (3 total users)"), "\(result.stderr)")
            let counts = try Self.userCounts(prefix)
            #expect(counts.contains(2) && counts.contains(3), "\(counts)")
            // FillerUser says so once per user when it starts: 3 of them, across the two slaves.
            let names = nginx.loggedEntries(skipping: before).filter { $0.request.contains("t=filler-start") }
            #expect(names.count == 3)
        }

        @Test("An unknown --shape is bad input: one line naming the plugin's shapes")
        func unknownShape() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--headless", "--host", "http://127.0.0.1:9", "--shape", "wave"],
                in: directory, timeout: .seconds(20))
            #expect(result.exited(2), "\(result)")
            #expect(result.stderrLines == ["locust: error: unknown load shape 'wave': the plugin has pulse, classes"], "\(result)")
        }
    }
}
