#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Writes Locust's four CSV files for `--csv PREFIX`: `PREFIX_stats.csv`, `PREFIX_failures.csv`
/// and `PREFIX_exceptions.csv` (rewritten whole by each ``write(_:)``: written to `PATH.tmp`, then renamed
/// over `PATH`, so a reader, or a run killed mid-write, never sees half a file) and
/// `PREFIX_stats_history.csv` (appended to by ``appendHistory(_:)`` while the test runs).
/// The headers are written when the writer is created. Thread-safe.
public final class CSVWriter: Sendable {
    /// The path prefix.
    public let prefix: String
    /// The formats used.
    public let format: StatsCSV

    /// `PREFIX_stats.csv`.
    public var statsPath: String { prefix + "_stats.csv" }
    /// `PREFIX_failures.csv`.
    public var failuresPath: String { prefix + "_failures.csv" }
    /// `PREFIX_exceptions.csv`.
    public var exceptionsPath: String { prefix + "_exceptions.csv" }
    /// `PREFIX_stats_history.csv`.
    public var historyPath: String { prefix + "_stats_history.csv" }
    /// `PREFIX_service_stats.csv`: the service times of an open-model run (written only in one).
    public var serviceStatsPath: String { prefix + "_service_stats.csv" }
    /// `PREFIX_iterations.csv`: the iterations of an open-model run, dropped ones included (only in one).
    public var iterationsPath: String { prefix + "_iterations.csv" }

    private struct Files: ~Copyable {
        var stats: Int32
        var failures: Int32
        var exceptions: Int32
        var history: Int32
        var isOpen: Bool
    }

    private let files: Mutex<Files>

    /// Creates (truncating) the four files and writes their header lines.
    /// - Parameters:
    ///   - prefix: The path prefix, e.g. `results/run1`.
    ///   - percentiles: The percentile columns; Locust's by default.
    public init(prefix: String, percentiles: [Double] = ReportedPercentiles.standard) throws {
        self.prefix = prefix
        format = StatsCSV(percentiles: percentiles)
        let paths = ["_stats.csv", "_failures.csv", "_exceptions.csv", "_stats_history.csv"].map { prefix + $0 }
        var descriptors: [Int32] = []
        do {
            for (index, path) in paths.enumerated() {
                let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (index == 3 ? O_APPEND : 0)
                let descriptor = open(path, flags, 0o644)
                if descriptor < 0 { throw CSVWriterError(path: path, operation: "open", code: errno) }
                descriptors.append(descriptor)
            }
            try Self.replace(descriptors[0], path: paths[0], with: StatsCSV.line(format.requestsColumns))
            try Self.replace(descriptors[1], path: paths[1], with: StatsCSV.line(StatsCSV.failuresColumns))
            try Self.replace(descriptors[2], path: paths[2], with: StatsCSV.line(StatsCSV.exceptionsColumns))
            try Self.append(descriptors[3], path: paths[3], text: format.historyHeader)
        } catch {
            for descriptor in descriptors { closeDescriptor(descriptor) }
            throw error
        }
        files = Mutex(Files(
            stats: descriptors[0], failures: descriptors[1], exceptions: descriptors[2], history: descriptors[3],
            isOpen: true))
    }

    deinit {
        close()
    }

    /// Rewrites `PREFIX_stats.csv`, `PREFIX_failures.csv` and `PREFIX_exceptions.csv` from `snapshot`, and
    /// in an open-model run `PREFIX_service_stats.csv` and `PREFIX_iterations.csv`.
    public func write(_ snapshot: StatsSnapshot) throws {
        let stats = format.requestsCSV(snapshot)
        let failures = format.failuresCSV(snapshot)
        let exceptions = format.exceptionsCSV(snapshot)
        let service = format.serviceCSV(snapshot)
        let iterations = format.iterationsCSV(snapshot)
        try files.withLock { files in
            guard files.isOpen else { return }
            try Self.replaceAtomically(path: statsPath, with: stats)
            try Self.replaceAtomically(path: failuresPath, with: failures)
            try Self.replaceAtomically(path: exceptionsPath, with: exceptions)
            if let service { try Self.replaceAtomically(path: serviceStatsPath, with: service) }
            if let iterations { try Self.replaceAtomically(path: iterationsPath, with: iterations) }
        }
    }

    /// Appends history rows to `PREFIX_stats_history.csv`.
    public func appendHistory(_ rows: [StatsHistoryRow]) throws {
        guard !rows.isEmpty else { return }
        let text = format.historyText(rows)
        try files.withLock { files in
            guard files.isOpen else { return }
            try Self.append(files.history, path: historyPath, text: text)
        }
    }

    /// Closes the files; later writes are ignored.
    public func close() {
        files.withLock { files in
            guard files.isOpen else { return }
            files.isOpen = false
            for descriptor in [files.stats, files.failures, files.exceptions, files.history] {
                closeDescriptor(descriptor)
            }
        }
    }

    // MARK: File operations

    /// Writes `text` to `path.tmp`, then renames it over `path`.
    private static func replaceAtomically(path: String, with text: String) throws {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 { throw CSVWriterError(path: temporary, operation: "open", code: errno) }
        do {
            try replace(descriptor, path: temporary, with: text)
        } catch {
            closeDescriptor(descriptor)
            unlink(temporary)
            throw error
        }
        closeDescriptor(descriptor)
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw CSVWriterError(path: path, operation: "rename", code: code)
        }
    }

    private static func replace(_ descriptor: Int32, path: String, with text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                pwrite(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, off_t(offset))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw CSVWriterError(path: path, operation: "write", code: errno)
            }
            offset += written
        }
        if ftruncate(descriptor, off_t(bytes.count)) != 0 {
            throw CSVWriterError(path: path, operation: "truncate", code: errno)
        }
    }

    private static func append(_ descriptor: Int32, path: String, text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                writeDescriptor(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw CSVWriterError(path: path, operation: "write", code: errno)
            }
            offset += written
        }
    }
}

/// The C `close`, reachable from inside ``CSVWriter`` whose own `close()` shadows it.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

/// The C `write`, reachable from inside ``CSVWriter`` whose own `write(_:)` shadows it.
private func writeDescriptor(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
