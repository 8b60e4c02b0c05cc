import Testing
@testable import LocustStats

struct StatsCSVTests {
    let csv = StatsCSV()

    @Test func headersEqualLocustColumns() {
        #expect(csv.requestsColumns.joined(separator: ",") == LocustReference.requestsHeader)
        #expect(StatsCSV.failuresColumns.joined(separator: ",") == LocustReference.failuresHeader)
        #expect(StatsCSV.exceptionsColumns.joined(separator: ",") == LocustReference.exceptionsHeader)
        #expect(csv.historyColumns.joined(separator: ",") == LocustReference.historyHeader)
        #expect(csv.historyHeader == LocustReference.historyHeader + "\r\n")
        #expect(csv.requestsColumns.count == 22)
        #expect(csv.historyColumns.count == 24)
    }

    @Test func requestsFileMatchesLocust() {
        let snapshot = LocustReference.stats().snapshot()
        #expect(csv.requestsCSV(snapshot) == LocustReference.requestsCSV)
    }

    @Test func failuresFileMatchesLocust() {
        let snapshot = LocustReference.stats().snapshot()
        #expect(csv.failuresCSV(snapshot) == LocustReference.failuresCSV)
    }

    @Test func exceptionsFileMatchesLocustQuoting() {
        let snapshot = LocustReference.stats().snapshot()
        #expect(csv.exceptionsCSV(snapshot) == LocustReference.exceptionsCSV)
    }

    @Test func historyRowMatchesLocust() {
        let snapshot = LocustReference.stats().snapshot()
        let rows = StatsHistory().rows(for: snapshot, userCount: 42, at: LocustReference.base + 14.9)
        #expect(csv.historyText(rows) == LocustReference.historyCSVRow)
    }

    @Test func rowsWithoutRequestsWriteNotAvailable() {
        // Locust 2.47 after `reset_all()` with one entry (clock 3 s after the start).
        let stats = RequestStats(startTime: LocustReference.base)
        stats.record(method: "GET", name: "/x", responseTime: 5.5, contentLength: 10, error: nil, at: LocustReference.base)
        stats.reset(at: LocustReference.base + 3)
        let snapshot = stats.snapshot()
        let notAvailable = Array(repeating: "N/A", count: 11).joined(separator: ",")
        #expect(
            csv.requestsCSV(snapshot) == LocustReference.requestsHeader + "\r\n"
                + "GET,/x,0,0,0,0.0,0,0,0,0.0,0.0,\(notAvailable)\r\n"
                + ",Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,\(notAvailable)\r\n")
        let rows = StatsHistory().rows(for: snapshot, userCount: 0, at: LocustReference.base + 3)
        #expect(
            csv.historyText(rows)
                == "1700000003,0,,Aggregated,0.000000,0.000000,\(notAvailable),0,0,0,0.0,0,0,0\r\n")
    }

    @Test func quotingFollowsPythonCSVWriter() {
        #expect(StatsCSV.line(["a,b", "q\"x", "l\nm", "r\rx", " sp", "", "tab\tx", "é"])
            == "\"a,b\",\"q\"\"x\",\"l\nm\",\"r\rx\", sp,,tab\tx,é\r\n")
        #expect(StatsCSV.line([""]) == "\"\"\r\n")
        #expect(StatsCSV.line(["", ""]) == ",\r\n")
    }

    @Test func customPercentileColumns() {
        let custom = StatsCSV(percentiles: [0.5, 0.999, 0.99999])
        #expect(Array(custom.requestsColumns.suffix(3)) == ["50%", "99.9%", "99.999%"])
    }
}
