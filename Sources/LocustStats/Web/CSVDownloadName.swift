#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The file names Locust 2.47 suggests for its downloads, and the `Content-Disposition` values it
/// sends them with (`locust/web.py`, `_download_csv_suggest_file_name` and `stats_report`):
/// `attachment;filename=Locust_<YYYY-MM-DD-HHhMM>_<locustfile>_<host>_<kind>.csv`, and
/// `…_<host>.html` for the report, where the time is the statistics' start in local time
/// (`format_safe_timestamp`) and `_<host>` is left out when there is no host.
///
/// The host is kept as it is (`http://127.0.0.1:8089` gives `…_http://127.0.0.1:8089_requests.csv`,
/// as in Locust); control characters are dropped from the value so that it is always a valid header.
public enum CSVDownloadName {
    /// The CSV downloads.
    public enum Kind: String, Sendable, CaseIterable {
        /// `GET /stats/requests/csv`.
        case requests
        /// `GET /stats/failures/csv`.
        case failures
        /// `GET /exceptions/csv`.
        case exceptions
        /// `GET /stats/requests_full_history/csv`.
        case requestsFullHistory = "requests_full_history"
    }

    /// The suggested name of a CSV download.
    /// - Parameters:
    ///   - kind: Which file.
    ///   - startTime: When the statistics started (seconds since the epoch; Locust's
    ///     `stats.start_time`, reset by `/stats/reset`).
    ///   - locustfile: The name of the test's file as Locust shows it (its base name).
    ///   - host: The target host; `nil` or empty leaves out `_<host>`.
    ///   - utcOffset: Seconds east of UTC to format the time in; `nil` uses the process's local
    ///     time zone, as Python's `datetime.fromtimestamp` does.
    public static func csvFileName(
        _ kind: Kind, startTime: Double, locustfile: String, host: String?, utcOffset: Int? = nil
    ) -> String {
        base(startTime: startTime, locustfile: locustfile, host: host, utcOffset: utcOffset) + "_\(kind.rawValue).csv"
    }

    /// `attachment;filename=` and ``csvFileName(_:startTime:locustfile:host:utcOffset:)``.
    public static func csvContentDisposition(
        _ kind: Kind, startTime: Double, locustfile: String, host: String?, utcOffset: Int? = nil
    ) -> String {
        "attachment;filename="
            + csvFileName(kind, startTime: startTime, locustfile: locustfile, host: host, utcOffset: utcOffset)
    }

    /// The suggested name of the HTML report (`GET /stats/report?download=1`).
    public static func reportFileName(
        startTime: Double, locustfile: String, host: String?, utcOffset: Int? = nil
    ) -> String {
        base(startTime: startTime, locustfile: locustfile, host: host, utcOffset: utcOffset) + ".html"
    }

    /// `attachment;filename=` and ``reportFileName(startTime:locustfile:host:utcOffset:)``.
    public static func reportContentDisposition(
        startTime: Double, locustfile: String, host: String?, utcOffset: Int? = nil
    ) -> String {
        "attachment;filename=" + reportFileName(startTime: startTime, locustfile: locustfile, host: host, utcOffset: utcOffset)
    }

    /// Locust's `format_safe_timestamp`: `datetime.fromtimestamp(int(t)).strftime("%Y-%m-%d-%Hh%M")`.
    /// - Parameter utcOffset: Seconds east of UTC; `nil` for the local time zone.
    public static func safeTimestamp(_ timestamp: Double, utcOffset: Int? = nil) -> String {
        let seconds = PythonFormat.truncated(timestamp)
        var parts = tm()
        if let utcOffset {
            var shifted = time_t(truncatingIfNeeded: seconds &+ utcOffset)
            _ = gmtime_r(&shifted, &parts)
        } else {
            var value = time_t(truncatingIfNeeded: seconds)
            _ = localtime_r(&value, &parts)
        }
        func two(_ number: Int32) -> String { number < 10 && number >= 0 ? "0\(number)" : "\(number)" }
        let year = Int(parts.tm_year) + 1900
        let yearText = year >= 0 && year < 1_000
            ? String(repeating: "0", count: 4 - "\(year)".count) + "\(year)" : "\(year)"
        return "\(yearText)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))-\(two(parts.tm_hour))h\(two(parts.tm_min))"
    }

    private static func base(startTime: Double, locustfile: String, host: String?, utcOffset: Int?) -> String {
        let hostPart = host.map { $0.isEmpty ? "" : "_" + $0 } ?? ""
        return headerSafe("Locust_" + safeTimestamp(startTime, utcOffset: utcOffset) + "_" + locustfile + hostPart)
    }

    /// The text without control characters (CR and LF would end the header).
    private static func headerSafe(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.append(contentsOf: text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F })
        return result
    }
}
