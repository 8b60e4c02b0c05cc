import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Integration {
    /// What a new user tripped over in the first hour (issue 11): each test would have caught one.
    @Suite("First-hour papercuts", .sharedNginx, .timeLimit(.minutes(4)))
    struct FirstHour {
        let locust: Locust
        init() throws { locust = try Locust() }

        @Test("A task error is logged once at ERROR with Class.task, its repeats only at DEBUG")
        func taskErrorsReachTheConsole() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await locust.run(
                locust.headlessArguments(userClass: "ThrowingUser", host: nginx.url, users: 2, runTime: "2s", csvPrefix: directory.file("t")),
                in: directory, timeout: .seconds(30))
            #expect(result.exited(1), "\(result)")
            let lines = result.stderrLines.filter { $0.contains("ThrowingUser.throw raised:") }
            #expect(lines.count == 1, "expected one log line for the repeated error, got \(lines.count):\n\(result)")
            #expect(lines.first?.contains("/ERROR/locust.user.task:") == true, "\(lines)")
            #expect(lines.first?.contains("the task broke") == true, "the message is in the line: \(lines)")

            let debug = try await locust.run(
                locust.headlessArguments(
                    userClass: "ThrowingUser", host: nginx.url, users: 1, runTime: "2s", csvPrefix: directory.file("d"),
                    extra: ["-L", "DEBUG"]),
                in: directory, timeout: .seconds(30))
            let repeats = debug.stderrLines.filter { $0.contains("/DEBUG/") && $0.contains("ThrowingUser.throw raised:") }
            #expect(!repeats.isEmpty, "repeats are logged at DEBUG:\n\(debug)")
        }

        @Test("-t 4s: Starting line first, tables at 2 s and 4 s without a doubled final table, no 'stopped by themselves', history timestamps unique")
        func consoleAndHistory() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("c")
            let result = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--host", nginx.url, "--headless", "-u", "2", "-r", "2", "-t", "4s",
                 "--csv", prefix, "PacedUser"],
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            #expect(result.stderrLines.first?.contains("Starting SwiftLocust") == true, "\(result)")
            #expect(result.stderr.contains("--run-time limit reached"), "\(result)")
            #expect(!result.stderr.contains("stopped by themselves"), "a run-time stop is not users stopping:\n\(result)")
            #expect(result.stderr.contains("Shutting down (exit code 0)"), "\(result)")
            // Every stats table starts with its header line: 2 periodic ones (about 1.5 s and 3.5 s), then the summary's.
            let tables = result.stdout.split(separator: "\n").filter {
                $0.hasPrefix("Type ") && $0.contains("# reqs") && !$0.contains("50%")
            }
            #expect(tables.count == 3, "expected 2 periodic tables and the summary, got \(tables.count):\n\(result.stdout)")
            #expect(!result.stdout.contains("\n\n\n"), "one blank line between tables, as Locust:\n\(result.stdout)")

            let history = try CSVTable.read(prefix + "_stats_history.csv")
            let stamps = history.rows.filter { $0["Name"] == "Aggregated" }.compactMap { $0["Timestamp"] }
            #expect(!stamps.isEmpty)
            #expect(Set(stamps).count == stamps.count, "a repeated history block: \(stamps)")
        }

        @Test("The CSV files are there while the test runs, and a killed run leaves its figures")
        func csvFilesWhileRunning() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("live")
            let process = try locust.start(
                locust.headlessArguments(userClass: "CountingUser", host: nginx.url, users: 2, runTime: "30s", csvPrefix: prefix),
                in: directory)
            let written = await poll(timeout: .seconds(10)) {
                guard let table = try? CSVTable.read(prefix + "_stats.csv"), let row = table.row(name: "Aggregated") else { return false }
                return (row.int("Request Count") ?? 0) > 0
            }
            #expect(written, "_stats.csv has no counted Aggregated row while the test runs")
            process.send(SIGKILL)
            _ = await process.wait(timeout: .seconds(10))
            let stats = try CSVTable.read(prefix + "_stats.csv")
            #expect((stats.row(name: "Aggregated")?.int("Request Count") ?? 0) > 0, "a killed run left no figures")
            #expect(!FileManager.default.fileExists(atPath: prefix + "_stats.csv.tmp"))
        }

        @Test("A target that accepts connections and never answers: exit 1, 'No request completed', the cut-off requests counted")
        func silentTargetIsNoGreenRun() async throws {
            let listener = try Loopback.silentListener()
            defer { close(listener.fd) }
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "CountingUser", host: "http://127.0.0.1:\(listener.port)", users: 3, runTime: "2s",
                    csvPrefix: directory.file("s")),
                in: directory, timeout: .seconds(30))
            #expect(result.exited(1), "\(result)")
            #expect(result.stderr.contains("No request completed"), "\(result)")
            #expect(result.stdout.contains("3 requests were in flight when the users were stopped"), "\(result)")
        }
    }
}
