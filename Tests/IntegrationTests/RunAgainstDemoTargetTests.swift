import Foundation
import Testing

extension Integration {
    /// Runs against one `locust-demo-target` shared by the suite.
    @Suite("Headless runs against the demo target", .sharedDemoTarget, .timeLimit(.minutes(3)))
    struct RunAgainstDemoTarget {
        let locust: Locust
        init() throws { locust = try Locust() }

        @Test("SlowUser, 5 users for 6 s: median about 100 ms; request count equals the server's /stats delta")
        func slowRequests() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("slow")
            let before = try demo.servedRequests()
            // --stop-timeout: the requests in flight at the end finish and are counted on both sides.
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "SlowUser", host: demo.url, users: 5, runTime: "6s", csvPrefix: prefix,
                    extra: ["--stop-timeout", "5"]),
                in: directory, timeout: .seconds(45))
            #expect(result.exited(0), "\(result)")
            let served = try demo.servedRequests() - before

            let stats = try CSVTable.read(prefix + "_stats.csv")
            let row = try #require(stats.row(name: "/slow", type: "GET"), "no GET /slow row: \(stats.rows)")
            let aggregated = try #require(stats.row(name: "Aggregated"))
            let count = try #require(aggregated.int("Request Count"))
            #expect(row.int("Request Count") == count)
            #expect(count == served, "locust counted \(count) requests, the demo target served \(served)")
            // Each user waits 100 ms per request, so at most 5 × 6 s / 0.1 s = 300 (plus the 5 that finish
            // during the stop timeout); far fewer means the users did not run concurrently.
            #expect((200...306).contains(count), "5 users × 6 s of 100 ms requests gave \(count) requests")
            #expect(aggregated.int("Failure Count") == 0)
            // Within 5 ms of 100 ms; Locust rounds response times of 100-1000 ms to the nearest 10 ms, so a
            // true median of 95-105 ms reads 100 or 110 (below 100 ms values are exact).
            let median = try #require(row.double("Median Response Time"))
            #expect((95...110).contains(median), "median \(median) ms for /slow?ms=100")
            let minimum = try #require(row.double("Min Response Time"))
            #expect(minimum >= 99, "a /slow?ms=100 request took \(minimum) ms: the server waits 100 ms")
        }

        @Test("Request timeouts: a 300 ms timeout fails /slow?ms=2000 at about 300 ms; a request's own 2 s timeout wins")
        func requestTimeouts() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("timeout")
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "TimeoutUser", host: demo.url, users: 3, runTime: "3s", csvPrefix: prefix,
                    extra: ["--stop-timeout", "3"]),
                in: directory, timeout: .seconds(40))
            #expect(result.exited(1), "failures make the exit code 1: \(result)")
            let stats = try CSVTable.read(prefix + "_stats.csv")
            let cut = try #require(stats.row(name: "/slow-cut", type: "GET"), "\(stats.rows)")
            let count = try #require(cut.int("Request Count"))
            #expect(count >= 3, "\(cut)")
            #expect(cut.int("Failure Count") == count, "every /slow?ms=2000 request must time out: \(cut)")
            // Timed from the start of the transfer: not before 300 ms, and not much after.
            let minimum = try #require(cut.double("Min Response Time"))
            let maximum = try #require(cut.double("Max Response Time"))
            #expect(minimum >= 299 && maximum <= 420, "timed out after \(minimum)-\(maximum) ms, not about 300")
            let through = try #require(stats.row(name: "/slow-through", type: "GET"), "\(stats.rows)")
            #expect((through.int("Request Count") ?? 0) > 0 && through.int("Failure Count") == 0, "\(through)")
            let failures = try CSVTable.read(prefix + "_failures.csv").rows
            #expect(failures.count == 1 && failures.first?["Error"]?.hasPrefix("TimeoutError") == true, "\(failures)")
        }

        @Test("Cancelling a user's child task aborts its request at once (a 3 s /slow cut at 200 ms), unrecorded")
        func cancelledChildRequest() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("cancel")
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "CancellingUser", host: demo.url, users: 2, runTime: "2s", csvPrefix: prefix,
                    extra: ["--stop-timeout", "5"]),
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            let stats = try CSVTable.read(prefix + "_stats.csv")
            let race = try #require(stats.row(name: "race", type: "RACE"), "\(stats.rows)")
            #expect((race.int("Request Count") ?? 0) >= 4, "\(race)")
            let slowest = try #require(race.double("Max Response Time"))
            #expect(slowest < 1000, "a race took \(slowest) ms: the cancelled request ran on")
            #expect(stats.row(name: "/slow-cancelled", type: "GET") == nil, "an aborted request was recorded: \(stats.rows)")
        }

        @Test("The Shop example (Browser, Buyer) runs without failures; its request count equals the server's")
        func shopExample() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("shop")
            let before = try demo.servedRequests()
            let result = try await locust.run(
                ["-f", locust.binaries.shopPlugin, "--host", demo.url, "--headless", "-u", "8", "-r", "8", "-t", "3s",
                 "--stop-timeout", "5", "--csv", prefix, "--only-summary"],
                in: directory, timeout: .seconds(40))
            #expect(result.exited(0), "\(result)")
            let served = try demo.servedRequests() - before
            let stats = try CSVTable.read(prefix + "_stats.csv")
            let aggregated = try #require(stats.row(name: "Aggregated"))
            #expect(aggregated.int("Request Count") == served, "locust counted \(aggregated), the demo target served \(served)")
            let failures = try CSVTable.read(prefix + "_failures.csv").rows
            #expect(aggregated.int("Failure Count") == 0, "\(failures)")
            // Browser's catalogue and Buyer's login both ran (weights 3:1 over 8 users: 6 browsers, 2 buyers).
            #expect((stats.row(name: "/items", type: "GET")?.int("Request Count") ?? 0) > 0, "\(stats.rows)")
            #expect(stats.row(name: "/login", type: "POST")?.int("Request Count") == 2, "\(stats.rows)")
            #expect(try CSVTable.read(prefix + "_exceptions.csv").rows.isEmpty)
        }
    }
}
