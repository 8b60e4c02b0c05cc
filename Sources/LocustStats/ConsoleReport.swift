/// Locust's console reports as text (nothing is printed): the periodic request statistics table
/// (`print_stats`), the response time percentile table (`print_percentile_stats`) and the error
/// report (`print_error_report`), with Locust 2.47's exact layout and column widths.
///
/// The `…Lines` methods return the lines Locust logs (no line ends); the `String` methods return
/// exactly what Locust writes to the console, each line ended by `\n`, including the blank line
/// Locust logs after the two tables.
public struct ConsoleReport: Sendable {
    /// Locust's `STATS_TYPE_WIDTH`.
    public static let typeWidth = 8

    /// Locust's `STATS_NAME_WIDTH`: 80, or the terminal width − 80 (0 ... 80) on a terminal.
    public var nameWidth: Int
    /// The percentile columns (fractions) of the percentile table.
    public var percentiles: [Double]

    /// Creates a report formatter.
    /// - Parameters:
    ///   - nameWidth: The width of the name column (Locust's `STATS_NAME_WIDTH`), 80 by default.
    ///   - percentiles: The percentile columns; Locust's by default.
    public init(nameWidth: Int = 80, percentiles: [Double] = ReportedPercentiles.standard) {
        self.nameWidth = max(0, nameWidth)
        self.percentiles = percentiles
    }

    /// Locust's name width for a terminal that is `terminalColumns` wide: `max(min(columns − 80, 80), 0)`.
    public static func nameWidth(terminalColumns: Int) -> Int {
        max(min(terminalColumns - 80, 80), 0)
    }

    // MARK: Request statistics (print_stats)

    /// The lines of the request statistics table (`get_stats_summary`).
    /// - Parameters:
    ///   - snapshot: The statistics.
    ///   - current: `true` for the rates over Locust's current window (the periodic table),
    ///     `false` for the rates over the whole run (the final summary).
    public func statsLines(_ snapshot: StatsSnapshot, current: Bool = true) -> [String] {
        let nameColumn = nameWidth - Self.typeWidth + 4
        let header = PythonFormat.leftAligned("Type", Self.typeWidth) + " "
            + PythonFormat.leftAligned("Name", nameColumn)
            + " " + PythonFormat.rightAligned("# reqs", 7) + " " + PythonFormat.rightAligned("# fails", 12) + " |"
            + PythonFormat.rightAligned("Avg", 7) + " " + PythonFormat.rightAligned("Min", 7) + " "
            + PythonFormat.rightAligned("Max", 7) + PythonFormat.rightAligned("Med", 7) + " | "
            + PythonFormat.rightAligned("req/s", 7) + " " + PythonFormat.rightAligned("failures/s", 11)
        let separator = [Self.typeWidth, nameColumn, 7, 13, 7, 7, 7, 7, 8, 11]
            .map { String(repeating: "-", count: $0) }
            .joined(separator: "|")
        var lines = [header, separator]
        for entry in snapshot.entries {
            lines.append(statsRow(entry, in: snapshot, current: current, nameColumn: nameColumn))
        }
        lines.append(separator)
        lines.append(statsRow(snapshot.total, in: snapshot, current: current, nameColumn: nameColumn))
        return lines
    }

    /// The request statistics table as Locust's `print_stats` writes it.
    public func statsTable(_ snapshot: StatsSnapshot, current: Bool = true) -> String {
        Self.text(statsLines(snapshot, current: current) + [""])
    }

    private func statsRow(_ entry: StatsEntry, in snapshot: StatsSnapshot, current: Bool, nameColumn: Int) -> String {
        let rate = current ? snapshot.currentRPS(of: entry) : snapshot.totalRPS(of: entry)
        let failureRate = current ? snapshot.currentFailPerSec(of: entry) : snapshot.totalFailPerSec(of: entry)
        let failures = "\(entry.numFailures)(" + PythonFormat.fixed(entry.failRatio * 100, decimals: 2) + "%)"
        return PythonFormat.leftAligned(entry.method.isEmpty ? "" : entry.method + " ", Self.typeWidth) + " "
            + PythonFormat.leftAligned(entry.name, nameColumn) + " "
            + PythonFormat.rightAligned("\(entry.numRequests)", 7) + " "
            + PythonFormat.rightAligned(failures, 12) + " |"
            + PythonFormat.rightAligned("\(PythonFormat.truncated(entry.average))", 7) + " "
            + PythonFormat.rightAligned("\(entry.locustMin.truncated)", 7) + " "
            + PythonFormat.rightAligned("\(entry.locustMax.truncated)", 7)
            + PythonFormat.rightAligned("\(entry.locustMedian.truncated)", 7) + " | "
            + PythonFormat.rightAligned(PythonFormat.fixed(rate, decimals: 2), 7) + " "
            + PythonFormat.rightAligned(PythonFormat.fixed(failureRate, decimals: 2), 11)
    }

    // MARK: Percentiles (print_percentile_stats)

    /// The lines of the percentile table (`get_percentile_stats_summary`); entries without
    /// requests are left out.
    public func percentileLines(_ snapshot: StatsSnapshot) -> [String] {
        let title = snapshot.openModel == nil
            ? "Response time percentiles (approximated)"
            : "Response time percentiles (approximated), open model: from each iteration's intended start"
        return percentileLines(snapshot, title: title)
    }

    private func percentileLines(_ snapshot: StatsSnapshot, title: String) -> [String] {
        var lines = [title]
        let labels = ReportedPercentiles.labels(percentiles) + ["# reqs"]
        lines.append(percentileRow(type: "Type", name: "Name", values: labels))
        var separator = String(repeating: "-", count: Self.typeWidth) + "|" + String(repeating: "-", count: nameWidth)
            + "|" + String(repeating: "-", count: 8) + "|"
            + String(repeating: String(repeating: "-", count: 6) + "|", count: percentiles.count)
        separator.removeLast()
        lines.append(separator)
        for entry in snapshot.entries where entry.numRequests > 0 {
            lines.append(percentileRow(entry))
        }
        lines.append(separator)
        if snapshot.total.numRequests > 0 {
            lines.append(percentileRow(snapshot.total))
        }
        return lines
    }

    /// The percentile table as Locust's `print_percentile_stats` writes it.
    public func percentileTable(_ snapshot: StatsSnapshot) -> String {
        Self.text(percentileLines(snapshot) + [""])
    }

    private func percentileRow(_ entry: StatsEntry) -> String {
        let values = entry.percentiles(percentiles).map { "\(PythonNumber.percentile($0))" } + ["\(entry.numRequests)"]
        return percentileRow(type: entry.method, name: entry.name, values: values)
    }

    private func percentileRow(type: String, name: String, values: [String]) -> String {
        var line = PythonFormat.leftAligned(type, Self.typeWidth) + " " + PythonFormat.leftAligned(name, nameWidth)
        for (index, value) in values.enumerated() {
            line += " " + PythonFormat.rightAligned(value, index == 0 ? 8 : 6)
        }
        return line
    }

    // MARK: Open model

    /// The open model's part of the summary: the service-time percentiles (each request's own time)
    /// and the iterations scheduled, started and dropped, ending with an empty line; empty in a
    /// closed-model run.
    public func openModelReport(_ snapshot: StatsSnapshot) -> String {
        guard let open = snapshot.openModel else { return "" }
        var lines = percentileLines(
            open.serviceSnapshot(of: snapshot),
            title: "Service time percentiles (approximated), open model: each request's own time, without its wait for the intended start")
        lines.append("")
        lines.append(
            "Iterations: \(open.scheduledIterations) scheduled, \(open.startedIterations) started, \(open.droppedIterations) dropped"
                + (open.droppedIterations > 0 ? " (--max-concurrency iterations were in flight when they were due)" : ""))
        return Self.text(lines + [""])
    }

    // MARK: Errors (print_error_report)

    /// The lines of the error report (`get_error_report_summary`), ending with an empty line.
    public func errorReportLines(_ snapshot: StatsSnapshot) -> [String] {
        let separator = String(repeating: "-", count: 18) + "|"
            + String(repeating: "-", count: max(0, 80 + nameWidth - 19))
        var lines = ["Error report"]
        lines.append(PythonFormat.leftAligned("# occurrences", 18) + " " + PythonFormat.leftAligned("Error", 100))
        lines.append(separator)
        for error in snapshot.errors {
            lines.append(
                PythonFormat.leftAligned("\(error.occurrences)", 18) + " "
                    + PythonFormat.leftAligned(error.displayName, 100))
        }
        lines.append(separator)
        lines.append("")
        return lines
    }

    /// The error report as Locust's `print_error_report` writes it; empty when there are no errors.
    public func errorReport(_ snapshot: StatsSnapshot) -> String {
        snapshot.errors.isEmpty ? "" : Self.text(errorReportLines(snapshot))
    }

    private static func text(_ lines: [String]) -> String {
        var result = ""
        for line in lines { result += line + "\n" }
        return result
    }
}
