/// The one-file HTML report of `GET /stats/report` (Locust's `get_html_report`): works offline,
/// with every text HTML-escaped.
///
/// It holds the run's times, host and locustfile, the request statistics, the response-time
/// percentiles, the failures, the exceptions, the task ratios and, when the Chart.js source is
/// given, charts of the history (requests and failures per second, the 50th and 95th percentile
/// response times, the number of users). Without Chart.js the tables are rendered and a note
/// takes the charts' place, and the page holds no JavaScript.
///
/// The data is also embedded as JSON (`<script type="application/json" id="locust-report-data">`)
/// in the shape of Locust's report `templateArgs`: `requests_statistics`, `failures_statistics`,
/// `exceptions_statistics`, `response_time_statistics`, `history`, `tasks`, `start_time`,
/// `end_time`, `duration`, `host`, `locustfile`, `is_report`, `percentiles_to_chart`,
/// `show_download_link` and `profile`.
public struct HTMLReport: Sendable {
    /// Locust's `PERCENTILES_FOR_HTML_REPORT`: 50, 60, 70, 80, 90, 95, 99 and 100 %.
    public static let defaultPercentiles: [Double] = [0.50, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0]

    /// The statistics.
    public var snapshot: StatsSnapshot
    /// The chart points, oldest first.
    public var history: [ReportPoint]
    /// The user classes and tasks for the task-ratio section (see ``TaskRatioClass/weight``).
    public var taskRatio: [TaskRatioClass]
    /// The target host, if any.
    public var host: String?
    /// The test's file name as shown (Locust's `locustfile`).
    public var locustfile: String
    /// When the statistics started (seconds since the epoch).
    public var startTime: Double
    /// When the last request completed (seconds since the epoch); `nil` uses ``startTime``.
    public var endTime: Double?
    /// `"dark"` for the dark theme; anything else gives the light one (as Locust's `?theme=`).
    public var theme: String
    /// The Chart.js source (UMD build, e.g. `chart.min.js`), inlined; `nil` renders no charts.
    public var chartJS: String?
    /// The percentile columns of the response-time table (fractions).
    public var percentiles: [Double]
    /// Whether to show a "Download the Report" link to `?download=1` (Locust shows it unless the
    /// page is itself the download).
    public var showDownloadLink: Bool

    /// Creates a report.
    public init(
        snapshot: StatsSnapshot, history: [ReportPoint], taskRatio: [TaskRatioClass], host: String?,
        locustfile: String, startTime: Double, endTime: Double?, theme: String = "light", chartJS: String? = nil,
        percentiles: [Double] = HTMLReport.defaultPercentiles, showDownloadLink: Bool = false
    ) {
        self.snapshot = snapshot
        self.history = history
        self.taskRatio = taskRatio
        self.host = host
        self.locustfile = locustfile
        self.startTime = startTime
        self.endTime = endTime
        self.theme = theme
        self.chartJS = chartJS
        self.percentiles = percentiles
        self.showDownloadLink = showDownloadLink
    }

    /// Whether the dark theme is used.
    public var isDark: Bool { theme == "dark" }

    /// The response time percentiles that the charts show (Locust's `PERCENTILES_TO_CHART`).
    private static let chartPercentiles: [Double] = [0.5, 0.95]

    // MARK: The page

    /// The HTML document.
    public func render() -> String {
        let end = endTime ?? startTime
        var page = "<!DOCTYPE html>\n<html lang=\"en\" class=\"\(isDark ? "dark" : "light")\">\n<head>\n"
        page += "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        page += "<title>Locust Test Report</title>\n<style>\n\(Self.styleSheet)</style>\n</head>\n<body>\n<main>\n"
        page += "<h1>Locust Test Report</h1>\n"
        if showDownloadLink {
            let link = isDark ? "?download=1&theme=dark" : "?download=1"
            page += "<p><a href=\"\(Self.escape(link))\">Download the Report</a></p>\n"
        }
        page += "<section class=\"info\">\n<p><b>During:</b> \(Self.escape(PythonFormat.utcTimestamp(startTime)))"
        page += " - \(Self.escape(PythonFormat.utcTimestamp(end))) (\(Self.escape(Self.duration(from: startTime, to: end))))</p>\n"
        page += "<p><b>Target Host:</b> \(Self.escape(host.flatMap { $0.isEmpty ? nil : $0 } ?? "None"))</p>\n"
        page += "<p><b>Script:</b> \(Self.escape(locustfile))</p>\n</section>\n"
        page += requestTable()
        page += percentileTable()
        page += failuresTable()
        page += exceptionsTable()
        page += chartsSection()
        page += taskRatioSection()
        page += "</main>\n"
        // The data as JSON (not run as a script; `<`, `>`, `&` and `'` are escaped inside it).
        page += "<script type=\"application/json\" id=\"locust-report-data\">"
        page += data(end: end).serialized(escapingHTML: true)
        page += "</script>\n"
        if let chartJS {
            page += "<script>\n\(Self.scriptSafe(chartJS))\n</script>\n<script>\n\(chartScript())</script>\n"
        }
        page += "</body>\n</html>\n"
        return page
    }

    // MARK: Sections

    /// The entries, then the aggregated one.
    private var rows: [StatsEntry] { snapshot.entries + [snapshot.total] }

    /// ``rows`` with whether each is the aggregated one.
    private var rowsMarked: [(entry: StatsEntry, isTotal: Bool)] {
        snapshot.entries.map { ($0, false) } + [(snapshot.total, true)]
    }

    private func requestTable() -> String {
        var html = "<section>\n<h2>Request Statistics</h2>\n<table id=\"requests\">\n<thead><tr>"
        for title in [
            "Type", "Name", "# Requests", "# Fails", "Average (ms)", "Min (ms)", "Max (ms)", "Average size (bytes)",
            "RPS", "Failures/s",
        ] {
            html += "<th>\(Self.escape(title))</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for (entry, isTotal) in rowsMarked {
            let minimum = entry.minResponseTime.map { "\(PythonFormat.truncated(StatsRequestsJSON.properRound($0)))" } ?? "0"
            let maximum = "\(PythonFormat.truncated(StatsRequestsJSON.properRound(entry.maxResponseTime)))"
            let cells = [
                entry.method, entry.name, "\(entry.numRequests)", "\(entry.numFailures)",
                PythonFormat.fixed(entry.average, decimals: 2), minimum, maximum,
                PythonFormat.fixed(entry.averageContentLength, decimals: 2),
                PythonFormat.fixed(snapshot.totalRPS(of: entry), decimals: 2),
                PythonFormat.fixed(snapshot.totalFailPerSec(of: entry), decimals: 2),
            ]
            html += Self.row(cells, total: isTotal)
        }
        return html + "</tbody>\n</table>\n</section>\n"
    }

    private func percentileTable() -> String {
        var html = "<section>\n<h2>Response Time Statistics</h2>\n<table id=\"response-times\">\n<thead><tr>"
        for title in ["Method", "Name"] + percentiles.map({ ReportedPercentiles.label($0) + "ile (ms)" }) {
            html += "<th>\(Self.escape(title))</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for (entry, isTotal) in rowsMarked {
            let values = entry.percentiles(percentiles).map { "\(PythonNumber.percentile($0))" }
            html += Self.row([entry.method, entry.name] + values, total: isTotal)
        }
        return html + "</tbody>\n</table>\n</section>\n"
    }

    private var sortedErrors: [StatsError] {
        snapshot.errors.sorted { ($0.name, $0.method, $0.error) < ($1.name, $1.method, $1.error) }
    }

    private func failuresTable() -> String {
        var html = "<section>\n<h2>Failures Statistics</h2>\n"
        guard !snapshot.errors.isEmpty else { return html + "<p class=\"empty\">No failures.</p>\n</section>\n" }
        html += "<table id=\"failures\">\n<thead><tr><th># Failures</th><th>Method</th><th>Name</th><th>Message</th>"
        html += "<th>First Seen</th><th>Last Seen</th></tr></thead>\n<tbody>\n"
        for error in sortedErrors {
            html += Self.row([
                "\(error.occurrences)", error.method, error.name, error.error,
                error.firstSeen.map(PythonFormat.utcTimestamp) ?? "", error.lastSeen.map(PythonFormat.utcTimestamp) ?? "",
            ])
        }
        return html + "</tbody>\n</table>\n</section>\n"
    }

    private func exceptionsTable() -> String {
        var html = "<section>\n<h2>Exceptions Statistics</h2>\n"
        guard !snapshot.exceptions.isEmpty else { return html + "<p class=\"empty\">No exceptions.</p>\n</section>\n" }
        html += "<table id=\"exceptions\">\n<thead><tr><th>Count</th><th>Message</th><th>Traceback</th><th>Nodes</th>"
        html += "</tr></thead>\n<tbody>\n"
        for exception in snapshot.exceptions {
            html += "<tr><td>\(exception.count)</td><td>\(Self.escape(exception.message))</td>"
            html += "<td><pre>\(Self.escape(ExceptionsJSON.traceback(exception)))</pre></td>"
            html += "<td>\(Self.escape(ExceptionsJSON.nodes(exception)))</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n</section>\n"
    }

    private func chartsSection() -> String {
        var html = "<section>\n<h2>Charts</h2>\n"
        guard chartJS != nil else {
            return html + "<p class=\"note\">Charts are not included: the server had no Chart.js to embed. "
                + "The tables above hold the totals.</p>\n</section>\n"
        }
        for (id, title) in [
            ("chart-rps", "Total Requests per Second"), ("chart-response-times", "Response Times (ms)"),
            ("chart-users", "Number of Users"),
        ] {
            html += "<h3>\(Self.escape(title))</h3>\n<div class=\"chart\"><canvas id=\"\(id)\"></canvas></div>\n"
        }
        return html + "</section>\n"
    }

    /// `<li>` of a class or a task, with a nested `<ul>` for its tasks.
    private func ratioItem(_ item: TaskRatioJSON.Ratio) -> String {
        var html = "<li>\(Self.escape(Self.percent(item.ratio))) \(Self.escape(item.name))"
        if let tasks = item.tasks, !tasks.isEmpty {
            html += "\n<ul>\n" + tasks.map(ratioItem).joined() + "</ul>\n"
        }
        return html + "</li>\n"
    }

    private func taskRatioSection() -> String {
        var html = "<section>\n<h2>Final ratio</h2>\n"
        for (title, total) in [("Ratio Per Class", false), ("Total Ratio", true)] {
            html += "<h3>\(Self.escape(title))</h3>\n<ul class=\"ratio\">\n"
            for item in TaskRatioJSON.computed(taskRatio, total: total) {
                html += ratioItem(item)
            }
            html += "</ul>\n"
        }
        return html + "</section>\n"
    }

    // MARK: The data and the chart script

    /// The embedded data, in the shape of Locust's report `templateArgs`.
    public func data() -> JSONValue {
        data(end: endTime ?? startTime)
    }

    private func data(end: Double) -> JSONValue {
        let chartKeys = Self.chartPercentiles.map(StatsRequestsJSON.percentileKey)
        let history: [JSONValue] = history.map { point in
            let time = JSONValue.string(PythonFormat.utcTimestamp(point.time))
            var item: [String: JSONValue] = [
                "time": time,
                "current_rps": .array([time, .double(point.currentRPS)]),
                "current_fail_per_sec": .array([time, .double(point.currentFailPerSec)]),
                "user_count": .array([time, .int(point.userCount)]),
                "total_avg_response_time": .array([
                    time, JSONValue(point.averageResponseTime.map { ($0 * 100).rounded() / 100 }),
                ]),
            ]
            item[chartKeys[0]] = .array([time, JSONValue(point.p50.map(PythonNumber.percentile))])
            item[chartKeys[1]] = .array([time, JSONValue(point.p95.map(PythonNumber.percentile))])
            return .object(item)
        }
        let responseTimes: [JSONValue] = rows.map { entry in
            var item: [String: JSONValue] = ["name": .string(entry.name), "method": .string(entry.method)]
            for (percentile, value) in zip(percentiles, entry.percentiles(percentiles)) {
                item[PythonFormat.repr(percentile)] = .int(PythonNumber.percentile(value))
            }
            return .object(item)
        }
        return .object([
            "is_report": .bool(true),
            "requests_statistics": .array(rows.map { StatsRequestsJSON.row($0, in: snapshot) }),
            "failures_statistics": .array(sortedErrors.map(StatsRequestsJSON.error)),
            "exceptions_statistics": .array(snapshot.exceptions.map(ExceptionsJSON.row)),
            "response_time_statistics": .array(responseTimes),
            "start_time": .string(PythonFormat.utcTimestamp(startTime)),
            "end_time": .string(PythonFormat.utcTimestamp(end)),
            "duration": .string(Self.duration(from: startTime, to: end)),
            "host": JSONValue(host),
            "history": .array(history),
            "show_download_link": .bool(showDownloadLink),
            "locustfile": .string(locustfile),
            "tasks": TaskRatioJSON.body(classes: taskRatio),
            "percentiles_to_chart": .array(Self.chartPercentiles.map { .double($0) }),
            "profile": .null,
        ])
    }

    private func chartScript() -> String {
        func key(_ text: String) -> String { JSONValue.string(text).serialized(escapingHTML: true) }
        let chartKeys = Self.chartPercentiles.map(StatsRequestsJSON.percentileKey)
        return """
            (function () {
              "use strict";
              var data = JSON.parse(document.getElementById("locust-report-data").textContent);
              var history = data.history;
              var labels = history.map(function (point) { return point.time.slice(11, 19); });
              function series(name) { return history.map(function (point) { return point[name][1]; }); }
              var style = getComputedStyle(document.documentElement);
              Chart.defaults.color = style.getPropertyValue("--text").trim();
              Chart.defaults.borderColor = style.getPropertyValue("--grid").trim();
              function draw(id, sets) {
                new Chart(document.getElementById(id), {
                  type: "line",
                  data: {
                    labels: labels,
                    datasets: sets.map(function (set) {
                      return { label: set[0], data: set[1], borderColor: set[2], backgroundColor: set[2],
                               pointRadius: 0, borderWidth: 2, spanGaps: false };
                    })
                  },
                  options: {
                    animation: false, responsive: true, maintainAspectRatio: false,
                    interaction: { mode: "index", intersect: false },
                    scales: { y: { beginAtZero: true } }
                  }
                });
              }
              draw("chart-rps", [["RPS", series(\(key("current_rps"))), "#00ca5a"],
                                 ["Failures/s", series(\(key("current_fail_per_sec"))), "#ff6d6d"]]);
              draw("chart-response-times", [["50th percentile", series(\(key(chartKeys[0]))), "#9966cc"],
                                            ["95th percentile", series(\(key(chartKeys[1]))), "#ff9f40"]]);
              draw("chart-users", [["Users", series(\(key("user_count"))), "#0098ff"]]);
            })();

            """
    }

    // MARK: Helpers

    /// `text` escaped for HTML text and attribute values: `&`, `<`, `>`, `"` and `'`.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Locust's `format_duration`: `"11 seconds"`, `"1 minute and 5 seconds"`,
    /// `"1 day, 2 hours, 3 minutes and 4 seconds"`, `"0 seconds"`.
    public static func duration(from start: Double, to end: Double) -> String {
        let seconds = PythonFormat.truncated(end) &- PythonFormat.truncated(start)
        // Python's floor division and modulo (a negative span gives negative days, as in Locust).
        func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
        func modulo(_ a: Int, _ b: Int) -> Int { a - floorDivide(a, b) * b }
        let parts = [
            (floorDivide(seconds, 86_400), "day"), (floorDivide(modulo(seconds, 86_400), 3_600), "hour"),
            (floorDivide(modulo(seconds, 3_600), 60), "minute"), (modulo(seconds, 60), "second"),
        ]
        .filter { $0.0 > 0 }
        .map { "\($0.0) \($0.1)\($0.0 != 1 ? "s" : "")" }
        guard let last = parts.last else { return "0 seconds" }
        let head = parts.dropLast().joined(separator: ", ")
        return head.isEmpty ? last : head + " and " + last
    }

    private static func percent(_ ratio: Double) -> String {
        PythonFormat.fixed(ratio * 100, decimals: 2) + "%"
    }

    private static func row(_ cells: [String], total: Bool = false) -> String {
        var html = total ? "<tr class=\"total\">" : "<tr>"
        for cell in cells { html += "<td>\(escape(cell))</td>" }
        return html + "</tr>\n"
    }

    /// A script's source made safe to inline: `</script` and `<!--` cannot end or confuse the
    /// element (`<\/script`, `<\!--` mean the same inside JavaScript strings and regular expressions).
    static func scriptSafe(_ source: String) -> String {
        var result = ""
        result.reserveCapacity(source.utf8.count)
        var index = source.startIndex
        while index < source.endIndex {
            let character = source[index]
            if character == "<" {
                let rest = source[source.index(after: index)...]
                if rest.utf8.count >= 7, String(rest.prefix(7)).lowercased() == "/script" {
                    result += "<\\"
                    index = source.index(after: index)
                    continue
                }
                if rest.hasPrefix("!--") {
                    result += "<\\"
                    index = source.index(after: index)
                    continue
                }
            }
            result.append(character)
            index = source.index(after: index)
        }
        return result
    }

    private static let styleSheet = """
        :root { --bg: #ffffff; --text: #1b1b1f; --muted: #5f6368; --grid: #dadce0; --head: #f1f3f4;
                --accent: #00a14b; --total: #f8f9fa; }
        html.dark { --bg: #1b1b1f; --text: #e8eaed; --muted: #9aa0a6; --grid: #3c4043; --head: #2b2c30;
                    --accent: #00ca5a; --total: #232428; }
        body { margin: 0; background: var(--bg); color: var(--text);
               font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
        main { max-width: 1280px; margin: 0 auto; padding: 24px; }
        h1 { color: var(--accent); margin: 0 0 12px; }
        h2 { border-bottom: 1px solid var(--grid); padding-bottom: 4px; margin-top: 32px; }
        a { color: var(--accent); }
        .info p { margin: 2px 0; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { border: 1px solid var(--grid); padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: var(--head); }
        tr.total td { background: var(--total); font-weight: bold; }
        pre { margin: 0; white-space: pre-wrap; font-size: 12px; }
        .chart { position: relative; height: 300px; }
        .note, .empty { color: var(--muted); }
        ul.ratio, ul.ratio ul { list-style: none; padding-left: 1.5em; }

        """
}
