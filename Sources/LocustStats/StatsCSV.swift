/// Locust's CSV formats (`locust/stats.py`, `StatsCSV` and `StatsCSVFileWriter`): the header
/// columns, and rows formatted the way Python's `csv.writer` prints Locust's values (`repr` floats,
/// whole-millisecond percentiles, `N/A` before the first request, `\r\n` line ends).
public struct StatsCSV: Sendable {
    /// The percentile columns (fractions); Locust's `PERCENTILES_TO_REPORT` by default.
    public let percentiles: [Double]

    /// Creates a formatter.
    public init(percentiles: [Double] = ReportedPercentiles.standard) {
        self.percentiles = percentiles
    }

    /// The columns of `PREFIX_stats.csv` (`requests_csv_columns`).
    public var requestsColumns: [String] {
        [
            "Type", "Name", "Request Count", "Failure Count", "Median Response Time", "Average Response Time",
            "Min Response Time", "Max Response Time", "Average Content Size", "Requests/s", "Failures/s",
        ] + ReportedPercentiles.labels(percentiles)
    }

    /// The columns of `PREFIX_failures.csv` (`failures_columns`).
    public static let failuresColumns = ["Method", "Name", "Error", "Occurrences", "First Seen", "Last Seen"]

    /// The columns of `PREFIX_exceptions.csv` (`exceptions_columns`).
    public static let exceptionsColumns = ["Count", "Message", "Traceback", "Nodes"]

    /// The columns of `PREFIX_stats_history.csv` (`stats_history_csv_columns`).
    public var historyColumns: [String] {
        ["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"]
            + ReportedPercentiles.labels(percentiles)
            + [
                "Total Request Count", "Total Failure Count", "Total Median Response Time",
                "Total Average Response Time", "Total Min Response Time", "Total Max Response Time",
                "Total Average Content Size",
            ]
    }

    // MARK: Rows

    /// The data rows of `PREFIX_stats.csv`: one per entry (by name, then method), then `Aggregated`.
    public func requestsRows(_ snapshot: StatsSnapshot) -> [[String]] {
        (snapshot.entries + [snapshot.total]).map { entry in
            [
                entry.method, entry.name, "\(entry.numRequests)", "\(entry.numFailures)", entry.locustMedian.text,
                PythonFormat.repr(entry.average), entry.locustMin.text, entry.locustMax.text,
                entry.locustAverageContentLength.text, PythonFormat.repr(snapshot.totalRPS(of: entry)),
                PythonFormat.repr(snapshot.totalFailPerSec(of: entry)),
            ] + percentileFields(entry.numRequests == 0 ? nil : entry.percentiles(percentiles))
        }
    }

    /// The data rows of `PREFIX_failures.csv`, sorted by name, method and error.
    public func failuresRows(_ snapshot: StatsSnapshot) -> [[String]] {
        snapshot.errors
            .sorted { ($0.name, $0.method, $0.error) < ($1.name, $1.method, $1.error) }
            .map { error in
                [
                    error.method, error.name, error.error, "\(error.occurrences)",
                    error.firstSeen.map(PythonFormat.utcTimestamp) ?? "",
                    error.lastSeen.map(PythonFormat.utcTimestamp) ?? "",
                ]
            }
    }

    /// The data rows of `PREFIX_exceptions.csv`.
    public func exceptionsRows(_ snapshot: StatsSnapshot) -> [[String]] {
        snapshot.exceptions.map { exception in
            ["\(exception.count)", exception.message, exception.location, exception.nodes.joined(separator: ", ")]
        }
    }

    /// The data rows of `PREFIX_stats_history.csv` for history rows.
    public func historyRows(_ rows: [StatsHistoryRow]) -> [[String]] {
        rows.map { row in
            [
                "\(row.timestamp)", "\(row.userCount)", row.method, row.name,
                PythonFormat.fixed(row.requestsPerSecond, decimals: 6),
                PythonFormat.fixed(row.failuresPerSecond, decimals: 6),
            ]
                + percentileFields(row.percentiles)
                + [
                    "\(row.requestCount)", "\(row.failureCount)",
                    PythonNumber.median(
                        row.medianResponseTime, min: row.minResponseTime, max: row.maxResponseTime,
                        count: row.requestCount
                    ).text,
                    PythonFormat.repr(row.averageResponseTime), PythonNumber.minimum(row.minResponseTime).text,
                    PythonNumber.maximum(row.maxResponseTime).text,
                    PythonNumber.averageContentLength(row.averageContentLength, count: row.requestCount).text,
                ]
        }
    }

    private func percentileFields(_ values: [Double]?) -> [String] {
        guard let values else { return percentiles.map { _ in "N/A" } }
        return values.map { "\(PythonNumber.percentile($0))" }
    }

    // MARK: Whole files

    /// `PREFIX_stats.csv`: header and rows.
    public func requestsCSV(_ snapshot: StatsSnapshot) -> String {
        Self.text([requestsColumns] + requestsRows(snapshot))
    }

    /// `PREFIX_failures.csv`: header and rows.
    public func failuresCSV(_ snapshot: StatsSnapshot) -> String {
        Self.text([Self.failuresColumns] + failuresRows(snapshot))
    }

    /// `PREFIX_exceptions.csv`: header and rows.
    public func exceptionsCSV(_ snapshot: StatsSnapshot) -> String {
        Self.text([Self.exceptionsColumns] + exceptionsRows(snapshot))
    }

    /// The columns of `PREFIX_iterations.csv` (open model only).
    public static let iterationsColumns = ["Scheduled Iterations", "Started Iterations", "Dropped Iterations"]

    /// `PREFIX_service_stats.csv` (open model only): `PREFIX_stats.csv`'s columns over the service times,
    /// each request's own time (`PREFIX_stats.csv` then holds the times from the intended starts); nil
    /// in a closed-model run.
    public func serviceCSV(_ snapshot: StatsSnapshot) -> String? {
        guard let open = snapshot.openModel else { return nil }
        return requestsCSV(open.serviceSnapshot(of: snapshot))
    }

    /// `PREFIX_iterations.csv` (open model only): the iterations scheduled, started and dropped; nil in a
    /// closed-model run.
    public func iterationsCSV(_ snapshot: StatsSnapshot) -> String? {
        guard let open = snapshot.openModel else { return nil }
        return Self.text([
            Self.iterationsColumns, ["\(open.scheduledIterations)", "\(open.startedIterations)", "\(open.droppedIterations)"],
        ])
    }

    /// The header line of `PREFIX_stats_history.csv`.
    public var historyHeader: String { Self.line(historyColumns) }

    /// The lines to append to `PREFIX_stats_history.csv` for some rows.
    public func historyText(_ rows: [StatsHistoryRow]) -> String {
        Self.text(historyRows(rows))
    }

    /// One CSV line as Python's `csv.writer` writes it (quoting as needed, `\r\n` ending).
    public static func line(_ fields: [String]) -> String {
        CSVEncoding.line(fields)
    }

    /// Several CSV lines.
    public static func text(_ rows: [[String]]) -> String {
        var result = ""
        for row in rows { result += CSVEncoding.line(row) }
        return result
    }
}
