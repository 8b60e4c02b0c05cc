import Foundation
import Synchronization

/// The runner's log, as Locust writes it: `[time] host/LEVEL/locust.main: message` (one name per
/// concern: `locust.main`, `locust.runners`, `locust.web`, `locust.user.task`), to standard error and,
/// with `--logfile`, to a file.
public final class RunLogger: Sendable {
    /// Log levels, by Locust's names.
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug = 10, info = 20, warning = 30, error = 40, critical = 50

        /// Parses `DEBUG`, `info`, ... (case-insensitive).
        public init?(name: String) {
            switch name.uppercased() {
            case "DEBUG": self = .debug
            case "INFO": self = .info
            case "WARNING", "WARN": self = .warning
            case "ERROR": self = .error
            case "CRITICAL": self = .critical
            default: return nil
            }
        }

        var name: String {
            switch self {
            case .debug: "DEBUG"
            case .info: "INFO"
            case .warning: "WARNING"
            case .error: "ERROR"
            case .critical: "CRITICAL"
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Messages below this level are dropped.
    public let level: Level
    /// The logger's name in each line (`locust.main`, `locust.runners`, ...), as Locust's loggers.
    public let name: String
    private let sink: Sink

    /// Where the lines of a logger and of every logger ``named(_:)`` from it go.
    final class Sink: Sendable {
        let file: Mutex<FileHandle?>
        let hostname = ProcessInfo.processInfo.hostName
        let kept = Mutex(KeptLines())

        init(file: FileHandle?) { self.file = Mutex(file) }
    }

    /// Lines kept for `GET /logs` (Locust keeps 500), and those not yet forwarded to a master.
    struct KeptLines {
        var recent: [String] = []
        var unsent: [String] = []
        var forwarding = false
    }

    /// How many recent lines are kept for the web UI.
    static let keptLines = 500

    /// Creates a logger named `locust.main`; `logfile` is opened for appending.
    public init(level: Level, logfile: String?) throws {
        self.level = level
        self.name = "locust.main"
        if let logfile {
            if !FileManager.default.fileExists(atPath: logfile) {
                guard FileManager.default.createFile(atPath: logfile, contents: nil) else {
                    throw RunnerError.badInput("cannot create log file '\(logfile)'")
                }
            }
            guard let handle = FileHandle(forWritingAtPath: logfile) else {
                throw RunnerError.badInput("cannot open log file '\(logfile)' for writing")
            }
            handle.seekToEndOfFile()
            sink = Sink(file: handle)
        } else {
            sink = Sink(file: nil)
        }
    }

    private init(level: Level, name: String, sink: Sink) {
        self.level = level
        self.name = name
        self.sink = sink
    }

    /// A logger with another name writing to the same places (and kept in the same recent lines).
    public func named(_ name: String) -> RunLogger {
        RunLogger(level: level, name: name, sink: sink)
    }

    /// Logs at `level`.
    public func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard level >= self.level else { return }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss,SSS"
        let text = "[\(formatter.string(from: Date()))] \(sink.hostname)/\(level.name)/\(name): \(message())"
        let line = text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
        sink.file.withLock { $0?.write(Data(line.utf8)) }
        sink.kept.withLock { kept in
            kept.recent.append(text)
            if kept.recent.count > Self.keptLines { kept.recent.removeFirst(kept.recent.count - Self.keptLines) }
            if kept.forwarding {
                kept.unsent.append(text)
                if kept.unsent.count > Self.keptLines { kept.unsent.removeFirst(kept.unsent.count - Self.keptLines) }
            }
        }
    }

    /// The last lines logged (at most 500), oldest first.
    public var recentLines: [String] { sink.kept.withLock { $0.recent } }

    /// Keeps lines for ``takeUnsentLines()`` from now on (a slave forwards them to its master).
    public func startForwarding() {
        sink.kept.withLock { $0.forwarding = true }
    }

    /// The lines logged since the last call (after ``startForwarding()``).
    public func takeUnsentLines() -> [String] {
        sink.kept.withLock { kept in
            defer { kept.unsent = [] }
            return kept.unsent
        }
    }

    /// Logs at DEBUG.
    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    /// Logs at INFO.
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    /// Logs at WARNING.
    public func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }
    /// Logs at ERROR.
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
}

/// An error of the runner's input: printed as one line, exit code 2.
public enum RunnerError: Error, CustomStringConvertible {
    case badInput(String)

    public var description: String {
        switch self {
        case .badInput(let message): message
        }
    }
}
