import Testing
@testable import LocustStats

struct ConsoleReportTests {
    let report = ConsoleReport()

    @Test func currentStatsTableMatchesLocust() {
        let snapshot = LocustReference.stats().snapshot()
        let lines = report.statsLines(snapshot, current: true)
        #expect(lines.count == LocustReference.currentStatsLines.count)
        for (line, expected) in zip(lines, LocustReference.currentStatsLines) {
            #expect(line == expected)
        }
        #expect(report.statsTable(snapshot) == lines.joined(separator: "\n") + "\n\n")
    }

    @Test func finalStatsTableMatchesLocust() {
        let snapshot = LocustReference.stats().snapshot()
        #expect(report.statsLines(snapshot, current: false) == LocustReference.totalStatsLines)
    }

    @Test func statsTableHasTheExpectedColumns() {
        let lines = report.statsLines(LocustReference.stats().snapshot())
        let header = lines[0].split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        #expect(header == "Type Name # reqs # fails | Avg Min Max Med | req/s failures/s")
        #expect(lines[1].split(separator: "|").map(\.count) == [8, 76, 7, 13, 7, 7, 7, 7, 8, 11])
        #expect(lines.last?.hasPrefix("         Aggregated ") == true)
        #expect(lines.allSatisfy { $0.count == lines[0].count })
    }

    @Test func percentileTableMatchesLocust() {
        let snapshot = LocustReference.stats().snapshot()
        let lines = report.percentileLines(snapshot)
        #expect(lines.count == LocustReference.percentileLines.count)
        for (line, expected) in zip(lines, LocustReference.percentileLines) {
            #expect(line == expected)
        }
        #expect(report.percentileTable(snapshot).hasSuffix("\n\n"))
    }

    @Test func errorReportMatchesLocust() {
        let snapshot = LocustReference.stats().snapshot()
        #expect(report.errorReportLines(snapshot) == LocustReference.errorReportLines)
        #expect(report.errorReport(snapshot) == LocustReference.errorReportLines.map { $0 + "\n" }.joined())
        #expect(report.errorReport(RequestStats(startTime: 1).snapshot()).isEmpty)
    }

    @Test func emptyStatsPrintZeroRows() {
        // Locust 2.47 after `reset_all()` with one entry.
        let stats = RequestStats(startTime: LocustReference.base)
        stats.record(method: "GET", name: "/x", responseTime: 5.5, contentLength: 10, error: nil, at: LocustReference.base)
        stats.reset(at: LocustReference.base + 3)
        let snapshot = stats.snapshot()
        let lines = report.statsLines(snapshot)
        // Copied from Locust 2.47's output.
        #expect(lines[2] == "GET      /x                                                                                 0     0(0.00%) |      0       0       0      0 |    0.00        0.00")
        #expect(lines[4] == "         Aggregated                                                                         0     0(0.00%) |      0       0       0      0 |    0.00        0.00")
        let percentileLines = report.percentileLines(snapshot)
        #expect(percentileLines.count == 4)  // title, header, two separators: no rows without requests
    }

    @Test func narrowTerminalShrinksTheNameColumn() {
        #expect(ConsoleReport.nameWidth(terminalColumns: 120) == 40)
        #expect(ConsoleReport.nameWidth(terminalColumns: 300) == 80)
        #expect(ConsoleReport.nameWidth(terminalColumns: 60) == 0)
        let narrow = ConsoleReport(nameWidth: 40)
        let lines = narrow.statsLines(LocustReference.stats().snapshot())
        #expect(lines[1].split(separator: "|").map(\.count) == [8, 36, 7, 13, 7, 7, 7, 7, 8, 11])
        #expect(narrow.errorReportLines(LocustReference.stats().snapshot())[2].count == 18 + 1 + 101)
    }
}
