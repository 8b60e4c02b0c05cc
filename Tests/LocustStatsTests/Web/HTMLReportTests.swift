import Testing
@testable import LocustStats

struct HTMLReportTests {
    static let t0 = 1_796_156_371.0
    static let evilName = "/<script>alert(1)</script>"

    static func snapshot() -> StatsSnapshot {
        let stats = RequestStats(startTime: t0)
        for second in 0 ..< 11 {
            stats.record(method: "GET", name: "/", responseTime: 2 + Double(second % 4), contentLength: 3, error: nil,
                         at: t0 + Double(second) + 0.5)
            stats.record(method: "GET", name: evilName, responseTime: 5, contentLength: 3,
                         error: second % 3 == 0 ? "HTTPError('<b>500</b> & \"x\"')" : nil, at: t0 + Double(second) + 0.6)
        }
        stats.recordException(message: "boom <i>", location: "WebUser.boom", node: "vm_1")
        return stats.snapshot()
    }

    static func history() -> [ReportPoint] {
        [
            ReportPoint(time: t0 + 4, userCount: 6, currentRPS: 13, currentFailPerSec: 0, p50: 2, p95: 7,
                        averageResponseTime: 3.0512),
            ReportPoint(time: t0 + 9, userCount: 2, currentRPS: 15, currentFailPerSec: 1.5, p50: nil, p95: nil),
        ]
    }

    static func report(chartJS: String? = nil, theme: String = "light") -> HTMLReport {
        HTMLReport(
            snapshot: snapshot(), history: history(), taskRatio: TaskRatioJSONTests.classes(webUser: 1, otherUser: 1),
            host: "http://127.0.0.1:38875", locustfile: "locustfile.py", startTime: t0, endTime: t0 + 11.6,
            theme: theme, chartJS: chartJS)
    }

    @Test func textIsEscaped() {
        let html = Self.report(chartJS: "/* chart */").render()
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("HTTPError(&#39;&lt;b&gt;500&lt;/b&gt; &amp; &quot;x&quot;&#39;)"))
        #expect(html.contains("boom &lt;i&gt;"))
        // Inside the embedded JSON the markup is escaped too.
        #expect(html.contains(#"\u003cscript\u003ealert(1)\u003c/script\u003e"#))
        // Only our own three script elements open: data, Chart.js and the chart code.
        #expect(html.components(separatedBy: "<script").count - 1 == 3)
        #expect(html.components(separatedBy: "</script>").count - 1 == 3)
        #expect(HTMLReport.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }

    @Test func withoutChartJSTheTablesAndANoteAreRendered() {
        let html = Self.report(chartJS: nil).render()
        #expect(html.contains("Charts are not included"))
        #expect(!html.contains("<canvas"))
        #expect(!html.contains("new Chart("))
        #expect(html.components(separatedBy: "<script").count - 1 == 1)
        #expect(html.contains("<table id=\"requests\">"))
        #expect(html.contains("<table id=\"response-times\">"))
        #expect(html.contains("<table id=\"failures\">"))
        #expect(html.contains("<table id=\"exceptions\">"))
        #expect(html.contains("Final ratio"))
        #expect(html.contains("50.00% WebUser"))
        #expect(html.contains("30.00% index"))
    }

    @Test func withChartJSItIsInlinedWithThreeCharts() {
        let html = Self.report(chartJS: "window.ChartSource = 1; var s = \"</script>\";").render()
        #expect(html.contains("window.ChartSource = 1;"))
        #expect(html.contains(#"var s = "<\/script>";"#))
        for id in ["chart-rps", "chart-response-times", "chart-users"] {
            #expect(html.contains("<canvas id=\"\(id)\"></canvas>"))
            #expect(html.contains("draw(\"\(id)\""))
        }
        #expect(html.contains(#"series("response_time_percentile_0.95")"#))
        #expect(!html.contains("Charts are not included"))
        #expect(HTMLReport.scriptSafe("a</SCRIPT>b<!--c") == #"a<\/SCRIPT>b<\!--c"#)
    }

    @Test func headerHoldsTimesHostAndScriptAndTheThemeIsApplied() {
        let html = Self.report().render()
        #expect(html.contains("<title>Locust Test Report</title>"))
        #expect(html.contains("2026-12-01T20:19:31Z - 2026-12-01T20:19:42Z (11 seconds)"))
        #expect(html.contains("http://127.0.0.1:38875"))
        #expect(html.contains("locustfile.py"))
        #expect(html.contains("<html lang=\"en\" class=\"light\">"))
        #expect(Self.report(theme: "dark").render().contains("<html lang=\"en\" class=\"dark\">"))
        #expect(Self.report(theme: "purple").render().contains("<html lang=\"en\" class=\"light\">"))
    }

    @Test func tablesHoldTheStatisticsAndPercentiles() {
        let snapshot = Self.snapshot()
        let html = Self.report().render()
        let total = snapshot.total
        let p99 = PythonNumber.percentile(total.percentile(0.99))
        #expect(html.contains("<tr class=\"total\"><td></td><td>Aggregated</td><td>22</td><td>4</td>"))
        #expect(html.contains("<th>99%ile (ms)</th>"))
        #expect(html.contains("<th>100%ile (ms)</th>"))
        let percentileCells = HTMLReport.defaultPercentiles.map { "<td>\(PythonNumber.percentile(total.percentile($0)))</td>" }
        #expect(html.contains("<tr class=\"total\"><td></td><td>Aggregated</td>" + percentileCells.joined() + "</tr>"))
        #expect(p99 == 5)
    }

    @Test func embeddedDataHasTheShapeOfLocustsReportArguments() throws {
        let fixture = try WebFixtures.json("report_templateArgs.json")
        let data = Self.report().data()
        #expect(WebFixtures.keys(data) == WebFixtures.keys(fixture))
        for key in WebFixtures.keys(fixture) where key != "profile" {
            #expect(WebFixtures.type(data[key]) == WebFixtures.type(fixture[key]), "\(key)")
        }
        for list in ["requests_statistics", "failures_statistics", "exceptions_statistics", "response_time_statistics", "history"] {
            let ours = try #require(data[list]?[0], "\(list)")
            let theirs = try #require(fixture[list]?[0], "\(list)")
            #expect(WebFixtures.keys(ours) == WebFixtures.keys(theirs), "\(list)")
            for key in WebFixtures.keys(theirs) {
                #expect(WebFixtures.type(ours[key]) == WebFixtures.type(theirs[key]), "\(list).\(key)")
            }
        }
        #expect(data["tasks"] == fixture["tasks"])
        #expect(data["duration"] == .string("11 seconds"))
        #expect(data["start_time"] == .string("2026-12-01T20:19:31Z"))
        #expect(data["percentiles_to_chart"] == fixture["percentiles_to_chart"])
        // A point without current percentiles leaves gaps (null) in the chart.
        #expect(data["history"]?[1]?["response_time_percentile_0.5"]?[1] == .null)
        #expect(data["history"]?[0]?["total_avg_response_time"]?[1] == .double(3.05))
    }

    @Test func durationIsLocustsFormat() {
        #expect(HTMLReport.duration(from: 100, to: 111.9) == "11 seconds")
        #expect(HTMLReport.duration(from: 0, to: 0) == "0 seconds")
        #expect(HTMLReport.duration(from: 0, to: 1) == "1 second")
        #expect(HTMLReport.duration(from: 0, to: 65) == "1 minute and 5 seconds")
        #expect(HTMLReport.duration(from: 0, to: 3_600) == "1 hour")
        #expect(HTMLReport.duration(from: 0, to: 90_061) == "1 day, 1 hour, 1 minute and 1 second")
        #expect(HTMLReport.duration(from: 0, to: 2 * 86_400 + 7_320) == "2 days, 2 hours and 2 minutes")
    }

    @Test func pointsComeFromAggregatedHistoryRows() {
        let row = StatsHistoryRow(
            timestamp: 1_700_000_010, userCount: 4, method: "", name: "Aggregated", requestsPerSecond: 12.5,
            failuresPerSecond: 0.5, percentiles: nil, currentChartPercentiles: [3, 9], requestCount: 10,
            failureCount: 1, medianResponseTime: 3, averageResponseTime: 3.5, minResponseTime: 1, maxResponseTime: 9,
            averageContentLength: 0)
        #expect(ReportPoint(historyRow: row) == ReportPoint(
            time: 1_700_000_010, userCount: 4, currentRPS: 12.5, currentFailPerSec: 0.5, p50: 3, p95: 9,
            averageResponseTime: 3.5))
    }
}
