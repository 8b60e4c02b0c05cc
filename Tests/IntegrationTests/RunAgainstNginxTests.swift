import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Integration {
    /// Headless runs of Plugins/TestTargets against one nginx shared by the suite.
    @Suite("Headless runs against nginx", .sharedNginx, .timeLimit(.minutes(3)))
    struct RunAgainstNginx {
        let locust: Locust
        init() throws { locust = try Locust() }

        @Test("CountingUser, 20 users for 5 s: the Aggregated Request Count equals the lines nginx logged")
        func requestCountMatchesAccessLog() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("counting")
            let before = nginx.loggedRequests()
            // --stop-timeout lets each user finish the request it has in flight at the end, as in Locust:
            // a request cut off would reach nginx's log without being counted.
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "CountingUser", host: nginx.url, users: 20, runTime: "5s", csvPrefix: prefix,
                    extra: ["--stop-timeout", "5"]),
                in: directory, timeout: .seconds(45))
            #expect(result.exited(0), "no failures, so exit code 0:\n\(result)")
            #expect(result.seconds >= 4.5 && result.seconds < 15, "a 5 s run took \(result.seconds) s:\n\(result)")
            let logged = await nginx.settledLoggedRequests() - before

            for file in LocustCSV.files(prefix: prefix) {
                #expect(FileManager.default.fileExists(atPath: file), "\(file) was not written")
            }
            let stats = try CSVTable.read(prefix + "_stats.csv")
            #expect(stats.header == LocustCSV.statsColumns)
            #expect(stats.rows.last?["Name"] == "Aggregated", "the last row of _stats.csv must be Aggregated")
            let aggregated = try #require(stats.row(name: "Aggregated"), "no Aggregated row:\n\(result)")
            let count = try #require(aggregated.int("Request Count"))
            #expect(count == logged, "locust counted \(count) requests, nginx logged \(logged)")
            #expect(count > 500, "20 users without wait for 5 s made only \(count) requests")
            #expect(aggregated.int("Failure Count") == 0)
            let index = try #require(stats.row(name: "/", type: "GET"), "no GET / row in _stats.csv")
            #expect(index.int("Request Count") == count)
            #expect(index.double("Average Content Size") == 100, "nginx's body for / is 100 bytes")
            let statuses = Set(nginx.loggedEntries(skipping: before).map(\.status))
            #expect(statuses == ["200"], "nginx logged statuses \(statuses)")

            #expect(try CSVTable.read(prefix + "_failures.csv").header == LocustCSV.failuresColumns)
            #expect(try CSVTable.read(prefix + "_failures.csv").rows.isEmpty)
            #expect(try CSVTable.read(prefix + "_exceptions.csv").header == LocustCSV.exceptionsColumns)
            let history = try CSVTable.read(prefix + "_stats_history.csv")
            #expect(history.header == LocustCSV.historyColumns)
            #expect(!history.rows.isEmpty, "_stats_history.csv has no rows after a 5 s run")
        }

        @Test("FailingUser: every request fails, _failures.csv has the 500 with its count, exit code 1")
        func failuresAreCounted() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("failing")
            let result = try await locust.run(
                locust.headlessArguments(userClass: "FailingUser", host: nginx.url, users: 5, runTime: "3s", csvPrefix: prefix),
                in: directory, timeout: .seconds(40))
            #expect(result.exited(1), "failures, so exit code 1 (the default --exit-code-on-error):\n\(result)")

            let aggregated = try #require(try CSVTable.read(prefix + "_stats.csv").row(name: "Aggregated"))
            let requests = try #require(aggregated.int("Request Count"))
            #expect(requests > 10, "5 users for 3 s made only \(requests) requests")
            #expect(aggregated.int("Failure Count") == requests, "every request to /fail fails")

            let failures = try CSVTable.read(prefix + "_failures.csv")
            #expect(failures.header == LocustCSV.failuresColumns)
            let row = try #require(failures.rows.first { $0["Name"] == "/fail" }, "no /fail row: \(failures.rows)")
            #expect(row["Method"] == "GET")
            #expect(row["Error"]?.contains("500") == true, "the error should name the status 500: \(row)")
            #expect(row.int("Occurrences") == requests, "occurrences \(row) against \(requests) failed requests")
            #expect(failures.rows.count == 1, "one kind of failure only: \(failures.rows)")
        }

        @Test("--exit-code-on-error sets the exit code when requests fail")
        func customExitCodeOnError() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "FailingUser", host: nginx.url, users: 1, runTime: "1s",
                    csvPrefix: directory.file("code"), extra: ["--exit-code-on-error", "3"]),
                in: directory, timeout: .seconds(30))
            #expect(result.exited(3), "\(result)")
        }

        @Test("ThrowingUser: _exceptions.csv has the error's message with a count > 0")
        func exceptionsAreCounted() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("throwing")
            let result = try await locust.run(
                locust.headlessArguments(userClass: "ThrowingUser", host: nginx.url, users: 2, runTime: "2s", csvPrefix: prefix),
                in: directory, timeout: .seconds(30))
            // `locust --help`: --exit-code-on-error is the exit code "when a request failed or a task threw".
            #expect(result.exited(1), "a task threw, so exit code 1:\n\(result)")

            let exceptions = try CSVTable.read(prefix + "_exceptions.csv")
            #expect(exceptions.header == LocustCSV.exceptionsColumns)
            let row = try #require(
                exceptions.rows.first { $0["Message"]?.contains("the task broke") == true },
                "no row with the message 'the task broke': \(exceptions.rows)")
            let count = try #require(row.int("Count"))
            #expect(count > 0)
            let aggregated = try #require(try CSVTable.read(prefix + "_stats.csv").row(name: "Aggregated"))
            // Each task makes one request, then throws: the request succeeded, the task did not.
            #expect(aggregated.int("Failure Count") == 0)
            let requests = try #require(aggregated.int("Request Count"))
            #expect(abs(requests - count) <= 2, "\(requests) requests but \(count) exceptions (one each, but for the last tasks)")
        }

        @Test("RefusedUser: every request fails with a connection-refused error")
        func refusedConnectionsFail() async throws {
            try #require(!Loopback.accepts(port: 9), "something listens on 127.0.0.1:9: this test needs it closed")
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("refused")
            // No --host: RefusedUser names its own (http://127.0.0.1:9), as a Locust class may.
            let result = try await locust.run(
                locust.headlessArguments(userClass: "RefusedUser", host: nil, users: 2, runTime: "2s", csvPrefix: prefix),
                in: directory, timeout: .seconds(30))
            #expect(result.exited(1), "failures, so exit code 1:\n\(result)")

            let aggregated = try #require(try CSVTable.read(prefix + "_stats.csv").row(name: "Aggregated"))
            let requests = try #require(aggregated.int("Request Count"))
            #expect(requests > 0)
            #expect(aggregated.int("Failure Count") == requests)
            let failures = try CSVTable.read(prefix + "_failures.csv")
            #expect(!failures.rows.isEmpty)
            for row in failures.rows {
                let error = (row["Error"] ?? "").lowercased()
                #expect(error.contains("refused") || error.contains("connect"), "not a connection error: \(row)")
            }
            #expect(failures.rows.compactMap { $0.int("Occurrences") }.reduce(0, +) == requests)
        }

        @Test("CustomEventUser: the custom SQL request has its own row in _stats.csv; no failures, exit code 0")
        func customEventsAreRecorded() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("custom")
            let result = try await locust.run(
                locust.headlessArguments(userClass: "CustomEventUser", host: nginx.url, users: 2, runTime: "2s", csvPrefix: prefix),
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            let stats = try CSVTable.read(prefix + "_stats.csv")
            let row = try #require(stats.row(name: "select 1", type: "SQL"), "no SQL row in _stats.csv: \(stats.rows)")
            let count = try #require(row.int("Request Count"))
            // 2 users, one event per 20 ms, for 2 s: about 200.
            #expect(count > 20)
            #expect(row.int("Failure Count") == 0)
            // Every event reports 3 ms and 10 bytes.
            #expect(row.double("Median Response Time") == 3)
            #expect(row.double("Min Response Time") == 3)
            #expect(row.double("Max Response Time") == 3)
            #expect(row.double("Average Content Size") == 10)
            #expect(stats.row(name: "Aggregated")?.int("Request Count") == count)
        }

        @Test("SessionUser, 30 users: each user's requests all travel on one keep-alive connection of its own")
        func eachUserKeepsItsOwnConnection() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let before = nginx.loggedRequests()
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "SessionUser", host: nginx.url, users: 30, runTime: "3s", csvPrefix: directory.file("session"),
                    extra: ["--stop-timeout", "5"]),
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            _ = await nginx.settledLoggedRequests()
            let entries = nginx.loggedEntries(skipping: before).filter { $0.user != "-" }
            var connectionsByUser: [String: Set<String>] = [:]
            var usersByConnection: [String: Set<String>] = [:]
            for entry in entries {
                connectionsByUser[entry.user, default: []].insert(entry.connection)
                usersByConnection[entry.connection, default: []].insert(entry.user)
            }
            #expect(connectionsByUser.count == 30, "nginx saw \(connectionsByUser.count) users, not 30")
            // Each user sends about 100 requests in 3 s (20 ms apart); all of them on one connection.
            #expect(entries.count > 30 * 20, "only \(entries.count) requests carried X-User")
            let hopping = connectionsByUser.filter { $0.value.count != 1 }
            #expect(hopping.isEmpty, "users whose requests used several connections: \(hopping)")
            let shared = usersByConnection.filter { $0.value.count != 1 }
            #expect(shared.isEmpty, "connections that carried several users' requests: \(shared)")
            // At exit the connections are reset, not closed: none of this run's local ports waits in
            // TIME_WAIT (other tests of the suite, running meanwhile, may leave some of their own).
            let ports = Set(entries.compactMap(\.clientPort))
            #expect(ports.count == usersByConnection.count, "nginx logged \(ports.count) client ports for \(usersByConnection.count) connections")
            let waiting = Loopback.timeWaitLocalPorts(remotePort: nginx.port).intersection(ports)
            #expect(waiting.isEmpty, "this run's connections left in TIME_WAIT: \(waiting.sorted())")
        }

        @Test("SIGINT stops a 60 s run within a few seconds, with the summary printed and the CSV files written")
        func sigintStopsGracefully() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("interrupted")
            let before = nginx.loggedRequests()
            let process = try locust.start(
                locust.headlessArguments(userClass: "PacedUser", host: nginx.url, users: 5, runTime: "60s", csvPrefix: prefix),
                in: directory)
            // Running once nginx has seen every user's first request.
            let running = await poll(timeout: .seconds(10)) { nginx.loggedRequests() - before >= 5 || !process.isRunning }
            guard running, process.isRunning else {
                let output = await process.wait(timeout: .seconds(5))
                Issue.record("the run did not start (or ended early):\n\(output)")
                return
            }
            let interrupted = ContinuousClock.now
            process.send(SIGINT)
            let result = await process.wait(timeout: .seconds(20))
            let stopping = seconds(ContinuousClock.now - interrupted)
            #expect(stopping < 5, "took \(stopping) s to stop after SIGINT:\n\(result)")
            #expect(result.exited(0), "no failures, so exit code 0 after SIGINT:\n\(result)")
            #expect(result.stdout.contains("Aggregated"), "no summary table printed:\n\(result)")
            for file in LocustCSV.files(prefix: prefix) {
                #expect(FileManager.default.fileExists(atPath: file), "\(file) was not written")
            }
            let aggregated = try #require(try CSVTable.read(prefix + "_stats.csv").row(name: "Aggregated"))
            #expect((aggregated.int("Request Count") ?? 0) >= 5, "\(aggregated)")
        }
    }
}
