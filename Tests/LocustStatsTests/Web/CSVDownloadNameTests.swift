import Testing
@testable import LocustStats

struct CSVDownloadNameTests {
    /// The fixture run's statistics started at 2026-12-01T20:19:31Z, on a machine in UTC.
    static let start = 1_796_156_371.4
    static let host = "http://127.0.0.1:38875"

    @Test func csvNamesEqualLocustsHeaders() throws {
        let requests = try WebFixtures.header("Content-disposition", in: "csv_requests.headers")
        #expect(CSVDownloadName.csvContentDisposition(
            .requests, startTime: Self.start, locustfile: "locustfile.py", host: Self.host, utcOffset: 0) == requests)
        let failures = try WebFixtures.header("Content-disposition", in: "csv_failures.headers")
        #expect(CSVDownloadName.csvContentDisposition(
            .failures, startTime: Self.start, locustfile: "locustfile.py", host: Self.host, utcOffset: 0) == failures)
        #expect(requests == "attachment;filename=Locust_2026-12-01-20h19_locustfile.py_http://127.0.0.1:38875_requests.csv")
    }

    @Test func reportNameEqualsLocustsHeader() throws {
        let report = try WebFixtures.header("Content-Disposition", in: "report.headers")
        #expect(CSVDownloadName.reportContentDisposition(
            startTime: Self.start, locustfile: "locustfile.py", host: Self.host, utcOffset: 0) == report)
    }

    @Test func otherKindsAndNoHost() {
        #expect(CSVDownloadName.csvFileName(.exceptions, startTime: Self.start, locustfile: "s.so", host: nil, utcOffset: 0)
            == "Locust_2026-12-01-20h19_s.so_exceptions.csv")
        #expect(CSVDownloadName.csvFileName(
            .requestsFullHistory, startTime: Self.start, locustfile: "s.so", host: "", utcOffset: 0)
            == "Locust_2026-12-01-20h19_s.so_requests_full_history.csv")
        #expect(CSVDownloadName.reportFileName(startTime: Self.start, locustfile: "s.so", host: nil, utcOffset: 0)
            == "Locust_2026-12-01-20h19_s.so.html")
        #expect(CSVDownloadName.Kind.allCases.map(\.rawValue) == ["requests", "failures", "exceptions", "requests_full_history"])
    }

    @Test func timeIsFormattedInTheGivenZone() {
        #expect(CSVDownloadName.safeTimestamp(Self.start, utcOffset: 0) == "2026-12-01-20h19")
        #expect(CSVDownloadName.safeTimestamp(Self.start, utcOffset: 3 * 3_600 + 1_800) == "2026-12-01-23h49")
        #expect(CSVDownloadName.safeTimestamp(Self.start, utcOffset: 4 * 3_600) == "2026-12-02-00h19")
        #expect(CSVDownloadName.safeTimestamp(Self.start, utcOffset: -21 * 3_600) == "2026-11-30-23h19")
        #expect(CSVDownloadName.safeTimestamp(0, utcOffset: 0) == "1970-01-01-00h00")
        // Local time: the same shape whatever the zone.
        let local = CSVDownloadName.safeTimestamp(Self.start)
        #expect(local.count == 16)
        #expect(Array(local)[13] == "h")
    }

    @Test func controlCharactersCannotSplitTheHeader() {
        let value = CSVDownloadName.csvContentDisposition(
            .requests, startTime: Self.start, locustfile: "a\r\nSet-Cookie: x", host: "h\nX", utcOffset: 0)
        #expect(!value.contains("\r"))
        #expect(!value.contains("\n"))
        #expect(value == "attachment;filename=Locust_2026-12-01-20h19_aSet-Cookie: x_hX_requests.csv")
    }
}
