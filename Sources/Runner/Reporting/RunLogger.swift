import Foundation
import Synchronization

/// The runner's log, as Locust writes it: `[time] host/LEVEL/locust.runner: message`, to standard
/// error and, with `--logfile`, to a file.
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
    private let file: Mutex<FileHandle?>
    private let hostname: String
    private let kept = Mutex(KeptLines())

    /// Lines kept for `GET /logs` (Locust keeps 500), and those not yet forwarded to a master.
    struct KeptLines {
        var recent: [String] = []
        var unsent: [String] = []
        var forwarding = false
    }

    /// How many recent lines are kept for the web UI.
    static let keptLines = 500

    /// Creates a logger; `logfile` is opened for appending.
    public init(level: Level, logfile: String?) throws {
        self.level = level
        self.hostname = ProcessInfo.processInfo.hostName
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
            file = Mutex(handle)
        } else {
            file = Mutex(nil)
        }
    }

    /// Logs at `level`.
    public func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard level >= self.level else { return }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss,SSS"
        let text = "[\(formatter.string(from: Date()))] \(hostname)/\(level.name)/locust.runner: \(message())"
        let line = text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
        file.withLock { $0?.write(Data(line.utf8)) }
        kept.withLock { kept in
            kept.recent.append(text)
            if kept.recent.count > Self.keptLines { kept.recent.removeFirst(kept.recent.count - Self.keptLines) }
            if kept.forwarding {
                kept.unsent.append(text)
                if kept.unsent.count > Self.keptLines { kept.unsent.removeFirst(kept.unsent.count - Self.keptLines) }
            }
        }
    }

    /// The last lines logged (at most 500), oldest first.
    public var recentLines: [String] { kept.withLock { $0.recent } }

    /// Keeps lines for ``takeUnsentLines()`` from now on (a slave forwards them to its master).
    public func startForwarding() {
        kept.withLock { $0.forwarding = true }
    }

    /// The lines logged since the last call (after ``startForwarding()``).
    public func takeUnsentLines() -> [String] {
        kept.withLock { kept in
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
