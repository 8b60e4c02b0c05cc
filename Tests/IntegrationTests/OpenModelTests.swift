import Foundation
import Testing

extension Integration {
    /// The open model (`--arrival-rate`) against the demo target, with a 1 s stall in the middle of the
    /// run (`GET /stall?ms=1000`: every response waits until 1 s later): the closed model's percentiles
    /// hide it, the open model's show it; the schedule is kept; a tight bound drops iterations and says so.
    @Suite("The open model", .sharedDemoTarget, .timeLimit(.minutes(3)))
    struct OpenModel {
        let locust: Locust
        init() throws { locust = try Locust() }

        /// Runs `locust arguments` and stalls the demo target for 1 s, `stallAfter` seconds in.
        func runWithStall(_ arguments: [String], in directory: TempDirectory, stallAfter: Double) async throws -> ProcessOutput {
            let demo = try #require(DemoTargetServer.current)
            let process = try locust.start(arguments, in: directory)
            try await Task.sleep(for: .milliseconds(Int64(stallAfter * 1000)))
            _ = try Loopback.get(port: demo.port, path: "/stall?ms=1000")
            return await process.wait(timeout: .seconds(30))
        }

        static func milliseconds(_ row: [String: String], _ column: String) -> Double {
            row[column].flatMap(Double.init) ?? -1
        }

        @Test("A 1 s stall: the closed model's p99 stays under 1 s, the open model's shows it; 200/s for 4 s is 800 requests within 1 %")
        func theStallShowsOnlyInTheOpenModel() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let closed = try await runWithStall(
                ["-f", locust.binaries.testPlugin, "--host", demo.url, "--headless", "-u", "10", "-r", "100", "-t", "4s",
                 "--csv", directory.file("closed"), "--only-summary", "CountingUser"],
                in: directory, stallAfter: 1.5)
            #expect(closed.exited(0), "\(closed)")
            let closedRow = try #require(try CSVTable.read(directory.file("closed") + "_stats.csv").row(name: "Aggregated"))
            let closedP99 = Self.milliseconds(closedRow, "99%")
            #expect(closedP99 >= 0 && closedP99 < 1000, "closed p99 \(closedP99) ms")
            // The stall did hit the closed run: its users waited in it (a handful of samples).
            #expect(Self.milliseconds(closedRow, "Max Response Time") >= 900, "\(closedRow)")
            #expect(!closed.stdout.contains("Iterations:") && !closed.stdout.contains("open model"), "\(closed.stdout)")
            #expect(!FileManager.default.fileExists(atPath: directory.file("closed") + "_iterations.csv"))

            let open = try await runWithStall(
                ["-f", locust.binaries.testPlugin, "--host", demo.url, "--headless", "--arrival-rate", "200", "-t", "4s",
                 "--stop-timeout", "3", "--csv", directory.file("open"), "--only-summary", "CountingUser"],
                in: directory, stallAfter: 1.5)
            #expect(open.exited(0), "\(open)")
            let stats = try CSVTable.read(directory.file("open") + "_stats.csv")
            let row = try #require(stats.row(name: "Aggregated"))
            let p99 = Self.milliseconds(row, "99%")
            let maximum = Self.milliseconds(row, "Max Response Time")
            let count = try #require(row.int("Request Count"))
            // A 1 s freeze holds the requests sent during it from 1 s down to 0 s: a quarter of this run's
            // requests, spread evenly, so the top 1 % (the top 4 % of the frozen ones) waited at least
            // about 960 ms, and the first one almost the whole second. (p99 ≥ 1 s exactly would need a
            // stall longer than 1 s by 1 % of the run: every frozen request waits less than the stall.)
            #expect(p99 >= 900, "open p99 \(p99) ms")
            #expect(maximum >= 950, "open max \(maximum) ms")
            #expect(abs(count - 800) <= 8, "\(count) requests for 200/s over 4 s")
            let iterations = try #require(try CSVTable.read(directory.file("open") + "_iterations.csv").rows.first)
            #expect(iterations.int("Dropped Iterations") == 0)
            #expect(abs((iterations.int("Scheduled Iterations") ?? 0) - 800) <= 8, "\(iterations)")
            // Both times are kept: the service times sit in their own file and table.
            let service = try #require(try CSVTable.read(directory.file("open") + "_service_stats.csv").row(name: "Aggregated"))
            #expect(service.int("Request Count") == count)
            #expect(open.stdout.contains("Response time percentiles (approximated), open model: from each iteration's intended start"), "\(open.stdout)")
            #expect(open.stdout.contains("Service time percentiles (approximated), open model"), "\(open.stdout)")
            #expect(open.stderr.contains("Open model: a constant 200 iterations/s until stopped, at most 1000 in flight"), "\(open)")
            print("closed p99 \(closedP99) ms; open p99 \(p99) ms, max \(maximum) ms, \(count) requests (schedule: 800), service p99 \(Self.milliseconds(service, "99%")) ms")
        }

        @Test("--max-concurrency 2 against a 100 ms endpoint at 50/s: iterations are dropped, counted in the summary and the CSV")
        func aTightBoundDropsIterations() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--host", demo.url, "--headless", "--arrival-rate", "50", "--max-concurrency", "2",
                 "-t", "3s", "--stop-timeout", "1", "--csv", directory.file("drop"), "--only-summary", "SlowUser"],
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            let iterations = try #require(try CSVTable.read(directory.file("drop") + "_iterations.csv").rows.first)
            let dropped = try #require(iterations.int("Dropped Iterations"))
            let started = try #require(iterations.int("Started Iterations"))
            // 2 in flight of 100 ms each: about 20 of the 50 due each second start.
            #expect(dropped > 0, "\(iterations)")
            #expect(started + dropped >= 148 && started + dropped <= 152, "\(iterations)")
            #expect(started < 100, "\(iterations)")
            #expect(result.stdout.contains("Iterations: \(started + dropped) scheduled, \(started) started, \(dropped) dropped"), "\(result.stdout)")
            print("50/s for 3 s with --max-concurrency 2 on /slow?ms=100: \(started) started, \(dropped) dropped")
        }

        @Test("--arrival-stages 1s:40,1s:40 ramps to 40/s and holds, then ends the test: 60 iterations")
        func stagesEndTheTest() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--host", demo.url, "--headless", "--arrival-stages", "1s:40,1s:40",
                 "--stop-timeout", "1", "--csv", directory.file("ramp"), "--only-summary", "CountingUser"],
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            #expect(result.stderr.contains("The --arrival-stages schedule ended, stopping test"), "\(result)")
            #expect(result.seconds < 8, "\(result.seconds) s")
            let iterations = try #require(try CSVTable.read(directory.file("ramp") + "_iterations.csv").rows.first)
            // 0 → 40/s over 1 s (20, the one at 0 s included), then 40 more.
            #expect((59...61).contains(iterations.int("Scheduled Iterations") ?? 0), "\(iterations)")
        }

        @Test("--autostart with the web UI: GET /stats/requests has dropped_iterations and the service times while it runs")
        func theWebAPIShowsTheDrops() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let webPort = try Loopback.freePort()
            let process = try locust.start(
                ["-f", locust.binaries.testPlugin, "--host", demo.url, "--autostart", "--autoquit", "0", "--web-host", "127.0.0.1",
                 "--web-port", String(webPort), "--arrival-rate", "50", "--max-concurrency", "1", "-t", "3s", "--only-summary",
                 "SlowUser"],
                in: directory)
            var body: [String: Any] = [:]
            var dropped = 0
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline && dropped == 0 {
                try await Task.sleep(for: .milliseconds(500))
                guard let text = try? Loopback.get(port: webPort, path: "/stats/requests"),
                    let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                else { continue }
                body = object
                dropped = object["dropped_iterations"] as? Int ?? 0
            }
            let result = await process.wait(timeout: .seconds(20))
            #expect(result.exited(0), "\(result)")
            #expect(dropped > 0, "\(body)")
            let open = try #require(body["open_model"] as? [String: Any], "\(body)")
            #expect(open["dropped_iterations"] as? Int == dropped)
            let rows = try #require(open["service_time_stats"] as? [[String: Any]])
            #expect(rows.last?["name"] as? String == "Aggregated", "\(rows)")
            print("/stats/requests during the run: dropped_iterations \(dropped), started \(open["started_iterations"] ?? "?")")
        }

        @Test("A master and 2 slaves at 100/s for 3 s: each slave runs 50/s on its own clock; 300 requests within 1 %, the iterations merged")
        func aClusterSharesTheRate() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let master = try locust.start(
                ["-f", locust.binaries.testPlugin, "--master", "--headless", "--arrival-rate", "100", "-t", "3s",
                 "--stop-timeout", "2", "--expect-slaves", "2", "--master-bind-host", "127.0.0.1", "--master-bind-port", String(port),
                 "--host", demo.url, "--csv", directory.file("cluster"), "--only-summary", "CountingUser"],
                in: directory)
            let slaves = try (0..<2).map { _ in
                try locust.start(["-f", locust.binaries.testPlugin, "--slave", "--master-port", String(port)], in: directory)
            }
            let result = await master.wait(timeout: .seconds(40))
            var slaveResults: [ProcessOutput] = []
            for slave in slaves { slaveResults.append(await slave.wait(timeout: .seconds(15))) }
            #expect(result.exited(0), "\(result)")
            for slave in slaveResults {
                #expect(slave.exited(0), "\(slave)")
                #expect(slave.stderr.contains("Open model: running a share of 50 iterations/s now"), "\(slave.stderr)")
            }
            let row = try #require(try CSVTable.read(directory.file("cluster") + "_stats.csv").row(name: "Aggregated"))
            let count = try #require(row.int("Request Count"))
            #expect(abs(count - 300) <= 3, "\(count) requests for 100/s over 3 s")
            let iterations = try #require(try CSVTable.read(directory.file("cluster") + "_iterations.csv").rows.first)
            #expect(iterations.int("Started Iterations") == count, "\(iterations)")
            print("cluster, 2 slaves at 100/s for 3 s: \(count) requests (schedule: 300), \(iterations)")
        }

        @Test("A slave joining a running open-model test: the shares change, each goes on from the elapsed time; 400 of 400")
        func aLateSlaveTakesItsShare() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let master = try locust.start(
                ["-f", locust.binaries.testPlugin, "--master", "--headless", "--arrival-rate", "100", "-t", "4s",
                 "--stop-timeout", "2", "--expect-slaves", "1", "--master-bind-host", "127.0.0.1", "--master-bind-port", String(port),
                 "--host", demo.url, "--csv", directory.file("late"), "--only-summary", "CountingUser"],
                in: directory)
            let first = try locust.start(["-f", locust.binaries.testPlugin, "--slave", "--master-port", String(port)], in: directory)
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline && !first.stderrSoFar().contains("Open model: running a share of 100") {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(1500))
            let second = try locust.start(["-f", locust.binaries.testPlugin, "--slave", "--master-port", String(port)], in: directory)
            let result = await master.wait(timeout: .seconds(40))
            let firstResult = await first.wait(timeout: .seconds(15))
            let secondResult = await second.wait(timeout: .seconds(15))
            #expect(result.exited(0), "\(result)")
            #expect(firstResult.stderr.contains("Open model: running a share of 50 iterations/s now"), "\(firstResult.stderr)")
            #expect(secondResult.stderr.contains("Open model: running a share of 50 iterations/s now"), "\(secondResult.stderr)")
            let row = try #require(try CSVTable.read(directory.file("late") + "_stats.csv").row(name: "Aggregated"))
            let count = try #require(row.int("Request Count"))
            #expect(abs(count - 400) <= 8, "\(count) requests for 100/s over 4 s")
            print("a slave joining 1.5 s into 100/s for 4 s: \(count) requests (schedule: 400)")
        }

        @Test("Bad open-model options are one line and exit 2")
        func badOptions() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            for (arguments, message) in [
                (["--arrival-rate", "0"], "--arrival-rate must be more than 0"),
                (["--arrival-rate", "5", "-u", "3"], "--arrival-rate replaces -u/--users"),
                (["--arrival-stages", "10s:x"], "invalid --arrival-stages '10s:x'"),
            ] {
                let result = try await locust.run(
                    ["-f", locust.binaries.testPlugin, "--host", "http://127.0.0.1:9", "--headless"] + arguments + ["CountingUser"],
                    in: directory, timeout: .seconds(20))
                #expect(result.exited(2), "\(result)")
                #expect(result.stderr.contains(message) && result.stderr.split(separator: "\n").count == 1, "\(result)")
            }
        }
    }
}
