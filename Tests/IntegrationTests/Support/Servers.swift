import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// nginx from `scripts/nginx-test.sh run` (1 worker, 127.0.0.1 only, `/` = 200 with 100 bytes, `/fail` = 500),
/// a child of the test process, stopped by its PID.
final class NginxServer: Sendable {
    /// The server of the current suite (set by `NginxScope`).
    @TaskLocal static var current: NginxServer?

    let port: Int
    let directory: TempDirectory
    private let process: Subprocess

    var url: String { "http://127.0.0.1:\(port)" }
    var accessLog: String { directory.file("access.log") }

    private init(port: Int, directory: TempDirectory, process: Subprocess) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Starts nginx on a free port (a few tries, in case another process takes the port first).
    static func start() async throws -> NginxServer {
        let binaries = try Binaries.require()
        var problems: [String] = []
        for _ in 0..<3 {
            let directory = try TempDirectory("locust-it-nginx")
            let port = try Loopback.freePort()
            let process = try Subprocess(
                "/bin/bash", [binaries.nginxScript, "run", directory.path, String(port)], outputDirectory: directory)
            let up = await poll(timeout: .seconds(10)) { !process.isRunning || Loopback.accepts(port: port) }
            if up && process.isRunning {
                return NginxServer(port: port, directory: directory, process: process)
            }
            await process.terminate()
            let errorLog = (try? String(contentsOfFile: directory.file("error.log"), encoding: .utf8)) ?? ""
            problems.append("port \(port): \(process.stderrSoFar()) \(errorLog)")
            directory.remove()
        }
        throw TestFailure("nginx did not start: \(problems.joined(separator: "; "))")
    }

    /// Stops nginx (SIGTERM to the master, by PID) and removes its directory.
    func stop() async {
        await process.terminate(grace: .seconds(5))
        directory.remove()
    }

    /// The lines in the access log now.
    func loggedRequests() -> Int {
        guard let data = FileManager.default.contents(atPath: accessLog) else { return 0 }
        return data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    /// The lines in the access log once it has stopped growing for 300 ms (at most 5 s): nginx logs a
    /// request when it ends, which can be just after the client saw its answer.
    func settledLoggedRequests() async -> Int {
        var last = loggedRequests()
        var stableSince = ContinuousClock.now
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            let now = loggedRequests()
            if now != last {
                last = now
                stableSince = ContinuousClock.now
            } else if ContinuousClock.now - stableSince >= .milliseconds(300) {
                break
            }
        }
        return last
    }

    /// The access log lines after the first `skipping`.
    func loggedLines(skipping: Int) -> [String] {
        let text = (try? String(contentsOfFile: accessLog, encoding: .utf8)) ?? ""
        return Array(text.split(separator: "\n").dropFirst(skipping).map(String.init))
    }

    /// One access-log line: `addr:port "request" status bytes connection "x-user"`.
    struct LogEntry {
        /// The client's address: the local address of the load generator's connection.
        var clientAddress: String
        /// The client's port: the local port of the load generator's connection.
        var clientPort: Int?
        var request: String
        var status: String
        var connection: String
        var user: String
    }

    /// The access log's entries after the first `skipping` lines.
    func loggedEntries(skipping: Int) -> [LogEntry] {
        loggedLines(skipping: skipping).compactMap { line in
            let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
            guard quoted.count >= 5 else { return nil }
            let fields = quoted[2].split(separator: " ")
            guard fields.count >= 3 else { return nil }
            let peer = quoted[0].trimmingCharacters(in: .whitespaces)
            let port = peer.split(separator: ":").last.flatMap { Int($0) }
            let address = peer.lastIndex(of: ":").map { String(peer[..<$0]) } ?? peer
            return LogEntry(
                clientAddress: address, clientPort: port, request: String(quoted[1]), status: String(fields[0]), connection: String(fields[2]),
                user: String(quoted[3]))
        }
    }
}

/// Starts one nginx for a suite and stops it after the suite's last test.
struct NginxScope: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try await NginxServer.start()
        do {
            try await NginxServer.$current.withValue(server) { try await function() }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}

extension Trait where Self == NginxScope {
    /// One nginx shared by the tests of a suite (`NginxServer.current`).
    static var sharedNginx: Self { Self() }
}

/// `locust-demo-target --port 0`, a child of the test process, stopped by its PID.
final class DemoTargetServer: Sendable {
    @TaskLocal static var current: DemoTargetServer?

    let port: Int
    private let directory: TempDirectory
    private let process: Subprocess

    var url: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, directory: TempDirectory, process: Subprocess) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Starts the demo target on a port the kernel picks and reads the port from its first line.
    static func start() async throws -> DemoTargetServer {
        let binaries = try Binaries.require()
        let directory = try TempDirectory("locust-it-demo")
        let process = try Subprocess(
            binaries.demoTarget, ["--host", "127.0.0.1", "--port", "0"], outputDirectory: directory)
        var port: Int?
        _ = await poll(timeout: .seconds(10)) {
            port = Self.port(inFirstLineOf: process.stdoutSoFar())
            return port != nil || !process.isRunning
        }
        guard let port, process.isRunning else {
            await process.terminate()
            let output = process.stdoutSoFar() + process.stderrSoFar()
            directory.remove()
            throw TestFailure("locust-demo-target did not print 'demo target listening on http://HOST:PORT': \(output)")
        }
        return DemoTargetServer(port: port, directory: directory, process: process)
    }

    /// The port in `demo target listening on http://127.0.0.1:PORT` (a complete first line only).
    static func port(inFirstLineOf output: String) -> Int? {
        guard let newline = output.firstIndex(of: "\n") else { return nil }
        let line = output[..<newline]
        guard line.contains("listening on http://"), let colon = line.lastIndex(of: ":") else { return nil }
        return Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }

    /// `requests` from `GET /stats` (every request served so far except those to /stats).
    func servedRequests() throws -> Int {
        let body = try Loopback.get(port: port, path: "/stats")
        guard let range = body.range(of: "\"requests\":") else { throw TestFailure("no \"requests\" in /stats: \(body)") }
        let digits = body[range.upperBound...].prefix { $0.isNumber }
        guard let count = Int(digits) else { throw TestFailure("bad \"requests\" in /stats: \(body)") }
        return count
    }

    func stop() async {
        await process.terminate(grace: .seconds(5))
        directory.remove()
    }
}

/// Starts one demo target for a suite and stops it after the suite's last test.
struct DemoTargetScope: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try await DemoTargetServer.start()
        do {
            try await DemoTargetServer.$current.withValue(server) { try await function() }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}

extension Trait where Self == DemoTargetScope {
    /// One demo target shared by the tests of a suite (`DemoTargetServer.current`).
    static var sharedDemoTarget: Self { Self() }
}

/// Runs the real `locust` binary.
struct Locust: Sendable {
    let binaries: Binaries

    init() throws { binaries = try Binaries.require() }

    /// The environment for `locust`: this process's, without `LOCUST_*` settings (which `locust` would read
    /// as options), with HOME set to `home` (so no `~/.locust.conf` is read), plus `extra`.
    static func environment(home: String, extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LOCUST_") }
        environment["HOME"] = home
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Runs `locust arguments` in `directory` (its working directory and HOME) and waits (bounded).
    func run(
        _ arguments: [String], in directory: TempDirectory, environment extra: [String: String] = [:],
        timeout: Duration = .seconds(60)
    ) async throws -> ProcessOutput {
        let process = try start(arguments, in: directory, environment: extra)
        return await process.wait(timeout: timeout)
    }

    /// Starts `locust arguments` in `directory`.
    func start(_ arguments: [String], in directory: TempDirectory, environment extra: [String: String] = [:]) throws -> Subprocess {
        try Subprocess(
            binaries.locust, arguments, directory: directory.path,
            environment: Self.environment(home: directory.path, extra: extra), outputDirectory: directory)
    }

    /// A headless run of TestTargets' `userClass` against `host`, writing CSV files with `prefix`.
    func headlessArguments(
        userClass: String, host: String?, users: Int, runTime: String, csvPrefix: String, extra: [String] = []
    ) -> [String] {
        ["-f", binaries.testPlugin] + (host.map { ["--host", $0] } ?? [])
            + ["--headless", "-u", String(users), "-r", String(users), "-t", runTime, "--csv", csvPrefix, "--only-summary"]
            + extra + [userClass]
    }
}
