import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A temporary directory, removed by `remove()`.
struct TempDirectory: Sendable {
    let path: String

    init(_ label: String = "locust-it") throws {
        let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(label).XXXXXX")
        var template = Array(base.utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    /// `path/name`.
    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
    }

    /// Removes the directory, and the lock files that `swift build` leaves in the temp folder for packages in it.
    func remove() {
        let fileManager = FileManager.default
        try? fileManager.removeItem(atPath: path)
        let temp = NSTemporaryDirectory()
        let lockPrefix = path.replacingOccurrences(of: "/", with: "_") + "_"
        for item in (try? fileManager.contentsOfDirectory(atPath: temp)) ?? []
        where item.hasPrefix(lockPrefix) && item.hasSuffix(".lock") {
            try? fileManager.removeItem(atPath: (temp as NSString).appendingPathComponent(item))
        }
    }
}

/// How a finished subprocess ended, with what it printed.
struct ProcessOutput: Sendable, CustomStringConvertible {
    let command: [String]
    /// The exit code, or the signal number when `killedBySignal`.
    let status: Int32
    let killedBySignal: Bool
    /// True when the test killed it for running past its time limit.
    let timedOut: Bool
    let stdout: String
    let stderr: String
    /// Wall time from launch to exit.
    let seconds: Double

    /// True for a normal exit with `code`.
    func exited(_ code: Int32) -> Bool { !killedBySignal && !timedOut && status == code }

    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }

    var description: String {
        let how = timedOut ? "TIMED OUT (killed)" : killedBySignal ? "killed by signal \(status)" : "exit code \(status)"
        return """
            $ \(command.map(Self.quote).joined(separator: " "))
            -> \(how) after \(String(format: "%.2f", seconds)) s
            --- stdout (last 40 lines) ---
            \(Self.tail(stdout, 40))
            --- stderr (last 40 lines) ---
            \(Self.tail(stderr, 40))
            """
    }

    static func tail(_ text: String, _ count: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).suffix(count).joined(separator: "\n")
    }

    static func quote(_ word: String) -> String {
        word.isEmpty || word.contains(where: { " \"'$\\".contains($0) }) ? "'\(word)'" : word
    }
}

/// A running child process whose output goes to files; it is always ended by its own PID.
final class Subprocess: @unchecked Sendable {
    // @unchecked Sendable: `process` is configured before launch, then only read through Process's own
    // thread-safe accessors (isRunning, processIdentifier, termination status once it has exited).
    let command: [String]
    private let process = Process()
    private let stdoutPath: String
    private let stderrPath: String
    private let launched = ContinuousClock.now

    /// Launches `executable` with `arguments`; stdout and stderr go to files in `outputDirectory`.
    init(
        _ executable: String, _ arguments: [String], directory: String? = nil,
        environment: [String: String]? = nil, outputDirectory: TempDirectory
    ) throws {
        command = [executable] + arguments
        let tag = UUID().uuidString.prefix(8)
        stdoutPath = outputDirectory.file("\((executable as NSString).lastPathComponent)-\(tag).stdout")
        stderrPath = outputDirectory.file("\((executable as NSString).lastPathComponent)-\(tag).stderr")
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        try process.run()
    }

    /// A process that a test forgot (or could not reach, after a failure) is killed when its handle goes.
    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    var pid: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// What it has written to stdout so far.
    func stdoutSoFar() -> String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    func stderrSoFar() -> String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` to this process (and nothing else), if it still runs.
    func send(_ signal: Int32) {
        if process.isRunning { kill(pid, signal) }
    }

    /// Waits for the exit; past `timeout`, sends SIGTERM, then SIGKILL 3 s later.
    func wait(timeout: Duration) async -> ProcessOutput {
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                timedOut = true
                await terminate()
                break
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - launched
        return ProcessOutput(
            command: command,
            status: process.terminationStatus,
            killedBySignal: process.terminationReason == .uncaughtSignal,
            timedOut: timedOut,
            stdout: stdoutSoFar(),
            stderr: stderrSoFar(),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        )
    }

    /// Stops it: SIGTERM, then SIGKILL if it is still there after `grace`.
    func terminate(grace: Duration = .seconds(3)) async {
        send(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        send(SIGKILL)
        process.waitUntilExit()
    }

    /// Runs a command to its end (bounded by `timeout`).
    static func run(
        _ executable: String, _ arguments: [String], directory: String? = nil,
        environment: [String: String]? = nil, outputDirectory: TempDirectory, timeout: Duration
    ) async throws -> ProcessOutput {
        let process = try Subprocess(
            executable, arguments, directory: directory, environment: environment, outputDirectory: outputDirectory)
        return await process.wait(timeout: timeout)
    }
}

/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it held.
func poll(timeout: Duration, interval: Duration = .milliseconds(20), _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}

/// Seconds in a Duration.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
