import Foundation
import Testing

extension Integration {
    /// Settings from `locust.conf` and `LOCUST_*` variables, as Locust reads them.
    @Suite("Configuration files and environment", .sharedNginx, .timeLimit(.minutes(2)))
    struct Configuration {
        let locust: Locust
        init() throws { locust = try Locust() }

        @Test("./locust.conf (users = 3, headless = true) and LOCUST_RUN_TIME=3s (over the file's 60s) are honoured")
        func configFileAndEnvironment() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            try directory.write(
                "locust.conf",
                """
                # written by SwiftLocust's integration tests
                users = 3
                spawn-rate = 10
                headless = true
                run-time = 60s

                """)
            let prefix = directory.file("configured")
            // No -u, -t or --headless on the command line: they come from ./locust.conf and the environment.
            let result = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--host", nginx.url, "--csv", prefix, "--only-summary", "PacedUser"],
                in: directory, environment: ["LOCUST_RUN_TIME": "3s"], timeout: .seconds(40))
            #expect(result.exited(0), "\(result)")
            #expect(result.seconds >= 2.5 && result.seconds < 10, "a 3 s run (LOCUST_RUN_TIME) took \(result.seconds) s")

            // PacedUser makes one request per second: 3 users for 3 s make about 9 (1 user would make about 3).
            let aggregated = try #require(try CSVTable.read(prefix + "_stats.csv").row(name: "Aggregated"))
            let requests = try #require(aggregated.int("Request Count"))
            #expect((6...12).contains(requests), "3 paced users for 3 s made \(requests) requests")
            let history = try CSVTable.read(prefix + "_stats_history.csv")
            let userCounts = history.rows.compactMap { $0.int("User Count") }
            #expect(userCounts.max() == 3, "User Count in _stats_history.csv: \(userCounts)")
        }
    }
}
