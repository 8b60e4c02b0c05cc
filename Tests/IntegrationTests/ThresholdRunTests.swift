import Foundation
import Testing

extension Integration {
    /// `--threshold`, `--threshold-abort` and `--stages` on real runs: the summary's lines, the exit
    /// codes, the user counts second by second.
    @Suite("Thresholds and stages", .sharedNginx, .timeLimit(.minutes(2)))
    struct ThresholdRun {
        let locust: Locust
        init() throws { locust = try Locust() }

        @Test("Thresholds that hold exit 0 and are listed; a failed one exits 3 even without failures")
        func passAndFail() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let passing = try await locust.run(
                locust.headlessArguments(
                    userClass: "CountingUser", host: nginx.url, users: 2, runTime: "2s", csvPrefix: directory.file("p"),
                    extra: ["--threshold", "requests>10", "--threshold", "GET /:fail_ratio<0.01", "--threshold", "p99<5000"]),
                in: directory, timeout: .seconds(30))
            #expect(passing.exited(0), "\(passing)")
            #expect(passing.stdout.contains("Thresholds: all 3 passed"), "\(passing.stdout)")
            #expect(passing.stdout.contains("✓ GET /:fail_ratio<0.01  (measured: 0.0)"), "\(passing.stdout)")

            let failing = try await locust.run(
                locust.headlessArguments(
                    userClass: "CountingUser", host: nginx.url, users: 2, runTime: "2s", csvPrefix: directory.file("f"),
                    extra: ["--threshold", "max<0", "--threshold", "GET /nowhere:p95<10"]),
                in: directory, timeout: .seconds(30))
            #expect(failing.exited(3), "a failed threshold exits 3:\n\(failing)")
            #expect(failing.stdout.contains("Thresholds: 2 of 2 failed"), "\(failing.stdout)")
            #expect(failing.stdout.contains("✗ GET /nowhere:p95<10  (measured: no such request ran)"), "\(failing.stdout)")
            #expect(failing.stderr.contains("Threshold failed: ✗ max<0"), "\(failing)")
        }

        @Test("--threshold-abort stops the test once fail_ratio<0.5 fails, after the first 10 s")
        func abortEarly() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "FailingUser", host: nginx.url, users: 2, runTime: "60s", csvPrefix: directory.file("a"),
                    extra: ["--threshold", "fail_ratio<0.5", "--threshold-abort"]),
                in: directory, timeout: .seconds(45))
            #expect(result.exited(3), "\(result)")
            #expect(result.seconds >= 9.5 && result.seconds < 20, "stopped after \(result.seconds) s:\n\(result)")
            #expect(result.stderr.contains("stopping test (--threshold-abort)"), "\(result)")
        }

        @Test("--stages 2s:4,2s:4,2s:0: the users ramp up, hold and ramp down second by second, then the test ends")
        func stagesShapeTheUserCount() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("stages")
            let result = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--host", nginx.url, "--headless", "--stages", "2s:4,2s:4,2s:0",
                 "--csv", prefix, "--only-summary", "PacedUser"],
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            #expect(result.seconds >= 5.5 && result.seconds < 12, "a 6 s shape ran \(result.seconds) s:\n\(result)")
            #expect(result.stderr.contains("The load shape stages ended, stopping test"), "\(result)")
            // The log says each new count; the history's User Count column follows the shape.
            #expect(result.stderr.contains("Ramping to 2 users"), "\(result)")
            #expect(result.stderr.contains("Ramping to 4 users"), "\(result)")
            let history = try CSVTable.read(prefix + "_stats_history.csv")
            let counts = history.rows.filter { $0["Name"] == "Aggregated" }.compactMap { $0.int("User Count") }
            #expect(counts.max() == 4, "\(counts)")
            let peak = try #require(counts.firstIndex(of: 4))
            #expect(counts[..<peak].allSatisfy { $0 < 4 }, "ramp up: \(counts)")
            #expect(counts[peak...].contains { $0 < 4 && $0 > 0 } || counts.last == 0, "ramp down: \(counts)")
        }

        @Test("A threshold that cannot be parsed is bad input: one line, exit 2")
        func badThreshold() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--headless", "--host", "http://127.0.0.1:9", "--threshold", "speed<3"],
                in: directory, timeout: .seconds(20))
            #expect(result.exited(2), "\(result)")
            #expect(result.stderrLines == ["locust: error: invalid --threshold 'speed<3': unknown metric 'speed': use pNN, med, avg, min, max, fail_ratio, rps, fail_rps, requests or fails"], "\(result)")
        }
    }
}
