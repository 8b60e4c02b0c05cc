import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Integration {
    /// A headless master and real slave processes against one nginx.
    @Suite("Distributed runs against nginx", .sharedNginx, .timeLimit(.minutes(5)))
    struct ClusterRun {
        let locust: Locust
        init() throws { locust = try Locust() }

        /// Waits until `text` shows up in a process's standard error.
        func waitFor(_ text: String, in process: Subprocess, seconds: Double = 15) async -> Bool {
            let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
            while ContinuousClock.now < deadline {
                if process.stderrSoFar().contains(text) { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return false
        }

        /// The summary's "N requests were in flight when the users were stopped" (0 when absent).
        static func interrupted(_ summary: String) -> Int {
            guard let line = summary.split(separator: "\n").first(where: { $0.contains("in flight when the users were stopped") }) else { return 0 }
            return Int(line.split(separator: " ").first ?? "") ?? 0
        }

        static func spawnedUsers(_ log: String) -> [String: Int] {
            // The last "All users spawned: {"A": 2, "B": 1} (3 total users)" line.
            guard let line = log.split(separator: "\n").last(where: { $0.contains("All users spawned:") }),
                let open = line.firstIndex(of: "{"), let close = line.firstIndex(of: "}")
            else { return [:] }
            var counts: [String: Int] = [:]
            for part in line[line.index(after: open)..<close].split(separator: ",") {
                let pieces = part.split(separator: ":")
                guard pieces.count == 2 else { continue }
                let name = pieces[0].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                counts[name] = Int(pieces[1].trimmingCharacters(in: .whitespaces))
            }
            return counts
        }

        @Test("Master and 3 slaves: the master's totals equal nginx's count; users spread 4/4/4 with weights kept")
        func masterTotalsMatchNginx() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let before = nginx.loggedRequests()
            let master = try locust.start(
                locust.masterArguments(
                    port: port, users: 12, runTime: "5s", slaves: 3, csv: directory.file("cluster"),
                    extra: ["--host", nginx.url, "--stop-timeout", "5"], classes: ["CountingUser", "PacedUser"]),
                in: directory)
            let slaves = try (0..<3).map { _ in try locust.startSlave(port: port, in: directory) }
            let result = await master.wait(timeout: .seconds(60))
            let slaveResults = await slaves.asyncMap { await $0.wait(timeout: .seconds(15)) }
            #expect(result.exited(0), "\(result)")
            for slave in slaveResults { #expect(slave.exited(0), "a slave did not quit with the master: \(slave)") }

            let logged = await nginx.settledLoggedRequests() - before
            let aggregated = try #require(try CSVTable.read(directory.file("cluster") + "_stats.csv").row(name: "Aggregated"))
            let count = try #require(aggregated.int("Request Count"))
            // On a mismatch, the logs say which slave's statistics went missing (it failed once in CI:
            // 163,197 counted, 214,225 logged, never reproduced since).
            #expect(
                count == logged,
                """
                the master counted \(count) requests, nginx logged \(logged)
                master log:
                \(result.stderr.suffix(4000))
                slave logs:
                \(slaveResults.map { String($0.stderr.suffix(1500)) }.joined(separator: "\n---\n"))
                """)
            #expect(count > 500)

            #expect(Self.spawnedUsers(result.stderr) == ["CountingUser": 6, "PacedUser": 6], "\(result.stderr)")
            for slave in slaveResults {
                #expect(Self.spawnedUsers(slave.stderr) == ["CountingUser": 2, "PacedUser": 2], "\(slave.stderr)")
            }
        }

        @Test("--print-stats on a slave prints its own table every 2 s; a slave without it prints none")
        func slavePrintsItsOwnStats() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let master = try locust.start(
                locust.masterArguments(
                    port: port, users: 4, runTime: "5s", slaves: 2, csv: directory.file("print"),
                    extra: ["--host", nginx.url], classes: ["PacedUser"]),
                in: directory)
            let printing = try locust.startSlave(port: port, in: directory, extra: ["--print-stats"])
            let quiet = try locust.startSlave(port: port, in: directory)
            let result = await master.wait(timeout: .seconds(60))
            #expect(result.exited(0), "\(result)")
            _ = await printing.wait(timeout: .seconds(15))
            _ = await quiet.wait(timeout: .seconds(15))
            let printed = printing.stdoutSoFar()
            let tables = printed.components(separatedBy: "# reqs").count - 1
            #expect(tables >= 2, "a 5 s run should print at least 2 tables, got \(tables):\n\(printed)")
            #expect(printed.contains("GET") && printed.contains("Aggregated"), "no GET / row:\n\(printed)")
            #expect(!quiet.stdoutSoFar().contains("# reqs"), "the slave without --print-stats printed a table")
        }

        @Test("SIGKILL of one slave mid-test: the test goes on, its users move to the other slaves")
        func killedSlaveUsersMove() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let master = try locust.start(
                locust.masterArguments(
                    port: port, users: 9, runTime: "8s", slaves: 3, csv: directory.file("kill"),
                    extra: ["--host", nginx.url], classes: ["PacedUser"]),
                in: directory)
            let slaves = try (0..<3).map { _ in try locust.startSlave(port: port, in: directory) }
            #expect(await waitFor("All users spawned", in: master))
            slaves[0].send(SIGKILL)
            #expect(await waitFor("left", in: master, seconds: 5), "the master did not notice the killed slave")
            let survivors = Array(slaves.dropFirst())
            for slave in survivors {
                #expect(await waitFor("(5 total users)", in: slave, seconds: 10) || slave.stderrSoFar().contains("(4 total users)"),
                        "a surviving slave did not take over users: \(slave.stderrSoFar())")
            }
            let result = await master.wait(timeout: .seconds(60))
            #expect(result.exited(0), "\(result)")
            let spawnedCounts = survivors.map { Self.spawnedUsers($0.stderrSoFar())["PacedUser"] ?? 0 }
            #expect(spawnedCounts.reduce(0, +) == 9, "9 users over the 2 survivors, got \(spawnedCounts)")
            _ = await slaves.asyncMap { await $0.wait(timeout: .seconds(15)) }
        }

        /// Issue 12's last fault: with reports every 3 s, a SIGKILLed slave lost up to 3 s of requests
        /// (served by the target, never counted). Reports go every second now: at most about one.
        @Test("A SIGKILLed slave loses at most its last second of statistics")
        func killedSlaveLosesAtMostOneSecond() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let before = nginx.loggedRequests()
            // 100 paced users at 1 request/s on 2 slaves: 50 requests/s each.
            let master = try locust.start(
                locust.masterArguments(
                    port: port, users: 100, runTime: "7s", slaves: 2, csv: directory.file("lost"),
                    extra: ["--host", nginx.url], classes: ["PacedUser"]),
                in: directory)
            let slaves = try (0..<2).map { _ in try locust.startSlave(port: port, in: directory) }
            #expect(await waitFor("All users spawned", in: master))
            try await Task.sleep(for: .milliseconds(3300))
            slaves[0].send(SIGKILL)
            let result = await master.wait(timeout: .seconds(60))
            _ = await slaves.asyncMap { await $0.wait(timeout: .seconds(15)) }
            #expect(result.exited(0), "\(result)")
            let logged = await nginx.settledLoggedRequests() - before
            let aggregated = try #require(try CSVTable.read(directory.file("lost") + "_stats.csv").row(name: "Aggregated"))
            let counted = try #require(aggregated.int("Request Count"))
            let lost = logged - counted
            print("SIGKILLed slave at 50 requests/s: nginx served \(logged), the master counted \(counted), lost \(lost)")
            #expect(lost >= 0)
            // One report interval (50) plus the requests in flight at the kill.
            #expect(lost <= 60, "lost \(lost) requests: more than one second of the killed slave's 50 requests/s")
        }

        @Test("A slave that joins mid-test gets its share: 6 users go from 6/0 to 3/3")
        func joiningSlaveGetsUsers() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let master = try locust.start(
                locust.masterArguments(
                    port: port, users: 6, runTime: "7s", slaves: 1, csv: directory.file("join"),
                    extra: ["--host", nginx.url], classes: ["PacedUser"]),
                in: directory)
            let first = try locust.startSlave(port: port, in: directory)
            #expect(await waitFor("(6 total users)", in: first))
            let second = try locust.startSlave(port: port, in: directory)
            #expect(await waitFor("(3 total users)", in: second, seconds: 10), "\(second.stderrSoFar())")
            #expect(await waitFor("(3 total users)", in: first, seconds: 10), "\(first.stderrSoFar())")
            #expect(master.stderrSoFar().contains("2 slaves connected"))
            let result = await master.wait(timeout: .seconds(60))
            #expect(result.exited(0), "\(result)")
            _ = await [first, second].asyncMap { await $0.wait(timeout: .seconds(15)) }
        }

        @Test("SIGSTOP of a slave: marked missing within 3 heartbeats, its users go to the other")
        func stoppedSlaveIsMissing() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let before = nginx.loggedRequests()
            let master = try locust.start(
                locust.masterArguments(
                    port: port, users: 4, runTime: "9s", slaves: 2, csv: directory.file("stop"),
                    extra: ["--host", nginx.url], classes: ["PacedUser"]),
                in: directory)
            let slaves = try (0..<2).map { _ in try locust.startSlave(port: port, in: directory) }
            #expect(await waitFor("All users spawned", in: master))
            let stoppedAt = ContinuousClock.now
            slaves[0].send(SIGSTOP)
            #expect(await waitFor("setting state to missing", in: master, seconds: 6))
            let noticedAfter = ContinuousClock.now - stoppedAt
            #expect(noticedAfter < .seconds(5), "missing after \(noticedAfter)")
            #expect(await waitFor("(4 total users)", in: slaves[1], seconds: 5), "\(slaves[1].stderrSoFar())")
            slaves[0].send(SIGCONT)
            let result = await master.wait(timeout: .seconds(60))
            #expect(result.exited(0), "\(result)")
            _ = await slaves.asyncMap { await $0.wait(timeout: .seconds(15)) }
            // Resumed, the frozen slave's overdue users fire at once, then it reads the master's queued
            // order and stops them (issue 12: those requests were served and never counted). Each is now
            // counted, or reported under the summary as cut off in flight: none is lost.
            let logged = await nginx.settledLoggedRequests() - before
            let aggregated = try #require(try CSVTable.read(directory.file("stop") + "_stats.csv").row(name: "Aggregated"))
            let counted = aggregated.int("Request Count") ?? -1
            let cutOff = Self.interrupted(result.stdout)
            #expect(counted + cutOff == logged, "the master counted \(counted) and \(cutOff) cut off in flight, nginx logged \(logged)")
        }

        @Test("--expect-slaves: a headless master waits, then gives up with a clear message and exit code 1")
        func expectSlavesTimesOut() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let result = try await locust.run(
                locust.masterArguments(
                    port: port, users: 2, runTime: "2s", slaves: 2, csv: directory.file("wait"),
                    extra: ["--host", "http://127.0.0.1:9", "--expect-slaves-max-wait", "2s"], classes: ["PacedUser"]),
                in: directory, timeout: .seconds(20))
            #expect(result.exited(1), "\(result)")
            #expect(result.stderr.contains("gave up waiting for 2 slaves"), "\(result.stderr)")
            #expect(result.seconds >= 1.9 && result.seconds < 6)
        }

        @Test("Garbage, oversized and truncated frames on the port change nothing in a running test")
        func garbageChangesNothing() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let before = nginx.loggedRequests()
            let master = try locust.start(
                locust.masterArguments(
                    port: port, users: 4, runTime: "5s", slaves: 1, csv: directory.file("garbage"),
                    extra: ["--host", nginx.url, "--stop-timeout", "5"], classes: ["CountingUser"]),
                in: directory)
            let slave = try locust.startSlave(port: port, in: directory)
            #expect(await waitFor("All users spawned", in: master))
            Loopback.sendAndClose(port: port, bytes: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            Loopback.sendAndClose(port: port, bytes: [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3])
            // A ZMTP peer whose frames are not Locust messages: not a triple, a msgpack byte never used,
            // a stats report without its statistics, a truncated string.
            Loopback.zmtpPeer(port: port, greeting: ZMTPBytes.greeting, rest: ZMTPBytes.ready(identity: "forged_1") + [
                [0x92, 0xa1, 0x61, 0xc0], [0xc1], [0x93, 0xa5] + Array("stats".utf8) + [0x80, 0xc0], [0x93, 0xa9, 0x61],
            ].flatMap(ZMTPBytes.frame))
            // A ZMTP peer that stops in the middle of its greeting.
            Loopback.sendAndClose(port: port, bytes: Array(ZMTPBytes.greeting.prefix(20)))
            let idle = (0..<50).compactMap { _ in Loopback.open(port: port) }
            let result = await master.wait(timeout: .seconds(60))
            idle.forEach { close($0) }
            _ = await slave.wait(timeout: .seconds(15))
            #expect(result.exited(0), "\(result)")
            #expect(result.stderr.contains("Unrecognized message from"), "no log line for bad messages:\n\(result.stderr)")
            let logged = await nginx.settledLoggedRequests() - before
            let aggregated = try #require(try CSVTable.read(directory.file("garbage") + "_stats.csv").row(name: "Aggregated"))
            #expect(aggregated.int("Request Count") == logged)
            #expect(aggregated.int("Failure Count") == 0)
        }

        @Test("A slave with another plugin is refused, with a clear message on both sides")
        func otherPluginIsRefused() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let master = try locust.start(
                locust.masterArguments(
                    port: port, users: 1, runTime: "2s", slaves: 1, csv: directory.file("refuse"),
                    extra: ["--host", "http://127.0.0.1:9", "--expect-slaves-max-wait", "4s"], classes: []),
                in: directory)
            let slave = try locust.startSlave(port: port, in: directory, plugin: locust.binaries.shopPlugin)
            let slaveResult = await slave.wait(timeout: .seconds(15))
            let result = await master.wait(timeout: .seconds(20))
            #expect(slaveResult.exited(2), "\(slaveResult)")
            #expect(slaveResult.stderr.contains("The master refused this slave"), "\(slaveResult.stderr)")
            #expect(result.stderr.contains("Refused slave"), "\(result.stderr)")
            #expect(result.exited(1), "no slave was accepted, so the master gave up: \(result)")
        }

        @Test("A slave that loses its master stops its users and exits after --master-timeout")
        func slaveGivesUpOnLostMaster() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let master = try locust.start(
                locust.masterArguments(
                    port: port, users: 2, runTime: "60s", slaves: 1, csv: directory.file("lost"),
                    extra: ["--host", nginx.url], classes: ["PacedUser"]),
                in: directory)
            let slave = try locust.startSlave(port: port, in: directory, extra: ["--master-timeout", "3s"])
            #expect(await waitFor("All users spawned", in: master))
            master.send(SIGKILL)
            _ = await master.wait(timeout: .seconds(5))
            let result = await slave.wait(timeout: .seconds(20))
            #expect(result.exited(1), "\(result)")
            #expect(result.stderr.contains("Lost the master"), "\(result.stderr)")
            #expect(result.stderr.contains("Could not reconnect"), "\(result.stderr)")
            #expect(result.seconds < 15)
        }

        @Test("Ctrl-C on the master stops the slaves, prints the summary and writes the CSV files")
        func masterInterrupted() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let master = try locust.start(
                locust.masterArguments(
                    port: port, users: 4, runTime: "60s", slaves: 2, csv: directory.file("int"),
                    extra: ["--host", nginx.url], classes: ["PacedUser"]),
                in: directory)
            let slaves = try (0..<2).map { _ in try locust.startSlave(port: port, in: directory) }
            #expect(await waitFor("All users spawned", in: master))
            try await Task.sleep(for: .seconds(2))
            master.send(SIGINT)
            let result = await master.wait(timeout: .seconds(20))
            let slaveResults = await slaves.asyncMap { await $0.wait(timeout: .seconds(15)) }
            #expect(result.exited(0), "\(result)")
            #expect(result.seconds < 15)
            #expect(result.stdout.contains("Response time percentiles"), "no summary: \(result.stdout)")
            let aggregated = try #require(try CSVTable.read(directory.file("int") + "_stats.csv").row(name: "Aggregated"))
            #expect((aggregated.int("Request Count") ?? 0) >= 4)
            for slave in slaveResults { #expect(slave.exited(0), "\(slave)") }
        }

        @Test("The last slave leaving stops a headless master's test: it exits with its summary")
        func lastSlaveLeavingEndsTheTest() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let master = try locust.start(
                ["-f", locust.binaries.testPlugin, "--master", "--headless", "-u", "2", "-r", "2", "--expect-slaves", "1",
                 "--master-bind-host", "127.0.0.1", "--master-bind-port", String(port), "--csv", directory.file("last"),
                 "--only-summary", "--host", nginx.url, "CountingUser"],
                in: directory)
            let slave = try locust.startSlave(port: port, in: directory)
            #expect(await waitFor("All users spawned", in: master))
            // A slave that quits (SIGTERM) sends its last statistics and 'quit'; the master then has none left.
            slave.send(SIGTERM)
            let result = await master.wait(timeout: .seconds(20))
            #expect(result.exited(0), "the master must stop the test and exit by itself:\n\(result)")
            #expect(result.stderr.contains("The last slave quit, stopping test"), "\(result)")
            #expect(result.stdout.contains("Response time percentiles"), "no summary: \(result.stdout)")
            let aggregated = try #require(try CSVTable.read(directory.file("last") + "_stats.csv").row(name: "Aggregated"))
            #expect((aggregated.int("Request Count") ?? 0) > 0)
        }

        @Test("Exceptions on a master: the Nodes column names the slaves that raised them, not 'local'")
        func exceptionNodesAreSlaves() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let master = try locust.start(
                locust.masterArguments(
                    port: port, users: 2, runTime: "3s", slaves: 2, csv: directory.file("nodes"),
                    extra: ["--host", nginx.url], classes: ["ThrowingUser"]),
                in: directory)
            let slaves = try (0..<2).map { _ in try locust.startSlave(port: port, in: directory) }
            let result = await master.wait(timeout: .seconds(40))
            _ = await slaves.asyncMap { await $0.wait(timeout: .seconds(15)) }
            #expect(result.exited(1), "exceptions, so exit code 1:\n\(result)")
            let rows = try CSVTable.read(directory.file("nodes") + "_exceptions.csv").rows
            let row = try #require(rows.first { $0["Message"]?.contains("the task broke") == true }, "\(rows)")
            let nodes = (row["Nodes"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(Set(nodes).count == 2, "both slaves raised it: \(row)")
            #expect(!nodes.contains("local"), "\(row)")
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var results: [T] = []
        for element in self { results.append(await transform(element)) }
        return results
    }
}
