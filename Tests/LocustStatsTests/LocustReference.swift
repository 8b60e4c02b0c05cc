@testable import LocustStats

/// A fixed data set recorded both here and, by the same rules, into Locust 2.47's own
/// `RequestStats` (with `time.time` patched), and the exact text Locust produced for it.
///
/// Every entry has an odd request count that is not a multiple of 5, so `n * p` is never an
/// integer for the reported percentiles and Locust's rank rule agrees with the nearest-rank rule;
/// response times are whole milliseconds below 100 ms or end in .25, so Locust's histogram buckets
/// are exact too.
enum LocustReference {
    static let base = 1_700_000_000.0

    /// Records the data set: GET /a (101 requests), POST /login (7, 4 failed) and GET /b (3, 1
    /// failed, sub-millisecond), over 15 seconds.
    static func record(into stats: RequestStats) {
        for second in 0 ..< 15 {
            for index in 0 ..< 7 {
                if second == 14, index >= 3 { continue }
                stats.record(
                    method: "GET", name: "/a", responseTime: Double((second * 7 + index) % 97 + 1), contentLength: 100,
                    error: nil, at: base + Double(second) + Double(index) * 0.1)
            }
            if second % 2 == 0, second <= 12 {
                stats.record(
                    method: "POST", name: "/login", responseTime: 12.25 + Double(second), contentLength: 2048,
                    error: second % 4 == 0 ? "ConnectionError('refused')" : nil, at: base + Double(second) + 0.75)
            }
            if [3, 7, 11].contains(second) {
                stats.record(
                    method: "GET", name: "/b", responseTime: [0.4, 0.6, 0.3][(second - 3) / 4], contentLength: 0,
                    error: second == 7 ? "HTTPError('500 Server Error')" : nil, at: base + Double(second) + 0.5)
            }
        }
        for _ in 0 ..< 3 {
            stats.recordException(message: "boom, \"bad\"", location: "File \"x.swift\", line 3\n  in f")
        }
    }

    /// A `RequestStats` holding the data set, started at ``base``.
    static func stats() -> RequestStats {
        let stats = RequestStats(startTime: base)
        record(into: stats)
        return stats
    }

    // The header lines, copied from locust/stats.py 2.47.0 (the column lists joined by commas).
    static let requestsHeader = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
        + "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
        + "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
    static let failuresHeader = "Method,Name,Error,Occurrences,First Seen,Last Seen"
    static let exceptionsHeader = "Count,Message,Traceback,Nodes"
    static let historyHeader = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,"
        + "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,"
        + "Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,"
        + "Total Min Response Time,Total Max Response Time,Total Average Content Size"

    // What Locust 2.47.0 printed for the data set (STATS_NAME_WIDTH = 80, clock at base + 14.9).

    static let currentStatsLines: [String] = [
        "Type     Name                                                                          # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s",
        "--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------",
        "GET      /a                                                                               101     0(0.00%) |     47       1      97     47 |    7.00        0.00",
        "GET      /b                                                                                 3    1(33.33%) |      0       0       0      0 |    0.30        0.10",
        "POST     /login                                                                             7    4(57.14%) |     18      12      24     18 |    0.50        0.20",
        "--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------",
        "         Aggregated                                                                       111     5(4.50%) |     44       0      97     42 |    7.80        0.30",
    ]

    static let totalStatsLines: [String] = [
        "Type     Name                                                                          # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s",
        "--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------",
        "GET      /a                                                                               101     0(0.00%) |     47       1      97     47 |    7.11        0.00",
        "GET      /b                                                                                 3    1(33.33%) |      0       0       0      0 |    0.21        0.07",
        "POST     /login                                                                             7    4(57.14%) |     18      12      24     18 |    0.49        0.28",
        "--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------",
        "         Aggregated                                                                       111     5(4.50%) |     44       0      97     42 |    7.82        0.35",
    ]

    static let percentileLines: [String] = [
        "Response time percentiles (approximated)",
        "Type     Name                                                                                  50%    66%    75%    80%    90%    95%    98%    99%  99.9% 99.99%   100% # reqs",
        "--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------",
        "GET      /a                                                                                     47     63     72     77     87     92     95     96     97     97     97    101",
        "GET      /b                                                                                      0      0      1      1      1      1      1      1      1      1      1      3",
        "POST     /login                                                                                 18     20     22     22     24     24     24     24     24     24     24      7",
        "--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------",
        "         Aggregated                                                                             42     60     70     75     86     92     95     96     97     97     97    111",
    ]

    static let errorReportLines: [String] = [
        "Error report",
        "# occurrences      Error                                                                                               ",
        "------------------|---------------------------------------------------------------------------------------------------------------------------------------------",
        "4                  POST /login: ConnectionError('refused')                                                             ",
        "1                  GET /b: HTTPError('500 Server Error')                                                               ",
        "------------------|---------------------------------------------------------------------------------------------------------------------------------------------",
        "",
    ]

    static let requestsCSV: String =
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\r\n"
            + "GET,/a,101,0,47,47.15841584158416,1.0,97.0,100.0,7.112676032453604,0.0,47,63,72,77,87,92,95,96,97,97,97\r\n"
            + "GET,/b,3,1,0.3,0.43333333333333335,0.3,0.6,0.0,0.21126760492436447,0.07042253497478816,0,0,1,1,1,1,1,1,1,1,1\r\n"
            + "POST,/login,7,4,18,18.25,12.25,24.25,2048.0,0.4929577448235171,0.28169013989915265,18,20,22,22,24,24,24,24,24,24,24\r\n"
            + ",Aggregated,111,5,42,44.072522522522526,0.3,97.0,220.14414414414415,7.816901382201485,0.35211267487394077,42,60,70,75,86,92,95,96,97,97,97\r\n"

    static let failuresCSV: String =
        "Method,Name,Error,Occurrences,First Seen,Last Seen\r\n"
            + "GET,/b,HTTPError('500 Server Error'),1,2023-11-14T22:13:27Z,2023-11-14T22:13:27Z\r\n"
            + "POST,/login,ConnectionError('refused'),4,2023-11-14T22:13:20Z,2023-11-14T22:13:32Z\r\n"

    static let exceptionsCSV: String =
        "Count,Message,Traceback,Nodes\r\n"
            + "3,\"boom, \"\"bad\"\"\",\"File \"\"x.swift\"\", line 3\n  in f\",local\r\n"

    static let historyCSVRow: String =
        "1700000014,42,,Aggregated,7.800000,0.300000,42,60,70,75,86,92,95,96,97,97,97,111,5,42,44.072522522522526,0.3,97.0,220.14414414414415\r\n"
}
