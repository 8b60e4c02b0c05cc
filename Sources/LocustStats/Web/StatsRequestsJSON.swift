#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The body of Locust 2.47's `GET /stats/requests` (`locust/web.py`, `request_stats`), with the values
/// typed as Locust's Python code holds them: counts and percentiles are integers, `min_response_time`
/// and `max_response_time` floats rounded to whole milliseconds (`proper_round`), the median an
/// integer unless it had to be clamped to the exact minimum or maximum, and the current rates the
/// integer `0` before the first request.
///
/// The same snapshot methods as the console table and the CSV files are used, so the numbers agree
/// with them (current rates over Locust's window of about 10 seconds ending at the last request).
public enum StatsRequestsJSON {
    /// Locust's `MAX_ROWS`-like cap of `request_stats`: at most this many entries (before the
    /// aggregated row) and this many errors are listed.
    public static let maximumRows = 500

    /// Locust's `PERCENTILES_TO_STATISTICS`: the percentile keys of each row.
    public static let rowPercentiles: [Double] = [0.95, 0.99]

    /// The body.
    /// - Parameters:
    ///   - snapshot: The statistics (on a master: every worker's merged).
    ///   - state: The runner's state: `ready`, `spawning`, `running`, `cleanup`, `stopping`,
    ///     `stopped` or `missing`.
    ///   - userCount: The number of running users (on a master: the sum the workers reported).
    ///   - now: The current time (seconds since the epoch); the current response-time percentiles
    ///     cover the 10 seconds ending then.
    ///   - workers: The workers, on a master; `nil` otherwise, which leaves out `workers` and
    ///     `worker_count` as Locust does outside distributed runs.
    ///   - rowPercentiles: The per-row percentiles (fractions), Locust's by default.
    ///   - chartPercentiles: The current percentiles, Locust's `PERCENTILES_TO_CHART` by default.
    /// - Returns: The object; serialize it with `serialized(pretty: true)` plus a final `"\n"` to get
    ///   Locust's bytes (Flask in debug mode).
    public static func body(
        snapshot: StatsSnapshot, state: String, userCount: Int, now: Double, workers: [WorkerJSONRow]?,
        rowPercentiles: [Double] = rowPercentiles, chartPercentiles: [Double] = ReportedPercentiles.chart
    ) -> JSONValue {
        var stats = snapshot.entries.prefix(maximumRows).map {
            row($0, in: snapshot, percentiles: rowPercentiles)
        }
        let total = row(snapshot.total, in: snapshot, percentiles: rowPercentiles)
        stats.append(total)
        var body: [String: JSONValue] = [
            "stats": .array(stats),
            "errors": .array(snapshot.errors.prefix(maximumRows).map(error)),
            "current_rps": total["current_rps"] ?? .int(0),
            "current_fail_per_sec": total["current_fail_per_sec"] ?? .int(0),
            "total_rps": total["total_rps"] ?? .double(0),
            "total_fail_per_sec": total["total_fail_per_sec"] ?? .double(0),
            "fail_ratio": .double(snapshot.total.failRatio),
            "current_response_time_percentiles": currentPercentiles(
                snapshot, now: now, percentiles: chartPercentiles),
            "state": .string(state),
            "user_count": .int(userCount),
        ]
        if let open = snapshot.openModel {
            // Only in open-model runs (Locust has none of these keys): the dropped iterations beside the
            // totals, and the service times (each request's own time) as rows of their own.
            body["dropped_iterations"] = .int(open.droppedIterations)
            let service = open.serviceSnapshot(of: snapshot)
            var rows = service.entries.prefix(maximumRows).map { row($0, in: service, percentiles: rowPercentiles) }
            rows.append(row(service.total, in: service, percentiles: rowPercentiles))
            body["open_model"] = .object([
                "scheduled_iterations": .int(open.scheduledIterations),
                "started_iterations": .int(open.startedIterations),
                "dropped_iterations": .int(open.droppedIterations),
                "service_time_stats": .array(rows),
            ])
        }
        if let workers {
            body["workers"] = .array(workers.map(\.json))
            body["worker_count"] = .int(workers.filter(\.isCounted).count)
        }
        return .object(body)
    }

    /// One row of `stats` (Locust's `StatsEntry.to_dict`): the 15 keys `method`, `name`,
    /// `num_requests`, `num_failures`, `min_response_time`, `max_response_time`, `current_rps`,
    /// `current_fail_per_sec`, `avg_response_time`, `median_response_time`, `total_rps`,
    /// `total_fail_per_sec`, `response_time_percentile_<p>` for each percentile and
    /// `avg_content_length`.
    public static func row(
        _ entry: StatsEntry, in snapshot: StatsSnapshot, percentiles: [Double] = rowPercentiles
    ) -> JSONValue {
        let started = snapshot.total.lastRequestTimestamp != nil
        var row: [String: JSONValue] = [
            "method": .string(entry.method),
            "name": .string(entry.name),
            "num_requests": .int(entry.numRequests),
            "num_failures": .int(entry.numFailures),
            "min_response_time": entry.minResponseTime.map { .double(properRound($0)) } ?? .int(0),
            "max_response_time": .double(properRound(entry.maxResponseTime)),
            // Locust's `current_rps` is the int 0 before the first request and a float afterwards.
            "current_rps": started ? .double(snapshot.currentRPS(of: entry)) : .int(0),
            "current_fail_per_sec": started ? .double(snapshot.currentFailPerSec(of: entry)) : .int(0),
            "avg_response_time": .double(entry.average),
            "median_response_time": json(entry.locustMedian),
            "total_rps": .double(snapshot.totalRPS(of: entry)),
            "total_fail_per_sec": .double(snapshot.totalFailPerSec(of: entry)),
            "avg_content_length": json(entry.locustAverageContentLength),
        ]
        let values = entry.percentiles(percentiles)
        for (percentile, value) in zip(percentiles, values) {
            row[percentileKey(percentile)] = .int(PythonNumber.percentile(value))
        }
        return .object(row)
    }

    /// One element of `errors` (Locust's `StatsError.serialize`): `method`, `name`, `error`,
    /// `occurrences`, `first_seen` and `last_seen` (seconds since the epoch, floats).
    public static func error(_ error: StatsError) -> JSONValue {
        .object([
            "method": .string(error.method), "name": .string(error.name), "error": .string(error.error),
            "occurrences": .int(error.occurrences), "first_seen": JSONValue(error.firstSeen),
            "last_seen": JSONValue(error.lastSeen),
        ])
    }

    /// `current_response_time_percentiles`: `{"response_time_percentile_0.5": ms, …}` over the 10
    /// seconds ending at `now`; each value is an integer (whole milliseconds) or `null` when no
    /// request completed in that window (Locust's `get_current_response_time_percentile` returns
    /// `None` when it has no cached response times from about 10 seconds ago).
    public static func currentPercentiles(
        _ snapshot: StatsSnapshot, now: Double, percentiles: [Double] = ReportedPercentiles.chart
    ) -> JSONValue {
        let values = snapshot.recentResponseTimes.percentiles(percentiles, endingAt: now)
        var result: [String: JSONValue] = [:]
        for (index, percentile) in percentiles.enumerated() {
            result[percentileKey(percentile)] = values.map { .int(PythonNumber.percentile($0[index])) } ?? .null
        }
        return .object(result)
    }

    /// `f"response_time_percentile_{percentile}"`: `0.95` → `"response_time_percentile_0.95"`.
    public static func percentileKey(_ percentile: Double) -> String {
        "response_time_percentile_" + PythonFormat.repr(percentile)
    }

    // MARK: Helpers

    /// A ``PythonNumber`` as JSON: an int stays an int, a float a double.
    static func json(_ number: PythonNumber) -> JSONValue {
        switch number {
        case .int(let value): return .int(value)
        case .float(let value): return .double(value)
        }
    }

    /// Locust's `proper_round(val)` (`locust/util/rounding.py`):
    /// `round(val + 10 ** (-len(str(val)) - 1), 0)`, a round-half-up to a whole number, as a float.
    static func properRound(_ value: Double) -> Double {
        guard value.isFinite else { return value }
        let length = PythonFormat.repr(value).utf8.count
        let nudged = value + pow(10, Double(-length - 1))
        return nudged.rounded(.toNearestOrEven)
    }
}
