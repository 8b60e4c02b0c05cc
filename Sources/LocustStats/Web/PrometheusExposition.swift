import Histogram

/// The statistics in the Prometheus text exposition format 0.0.4, for `GET /metrics`.
///
/// Per request type (labels `method` and `name`; the aggregated row is left out, Prometheus sums
/// the series itself): `locust_requests_total`, `locust_failures_total`,
/// `locust_response_content_bytes_total` (counters), `locust_current_rps` and
/// `locust_current_fail_per_sec` (gauges, Locust's current window) and `locust_response_time_seconds`,
/// a histogram with the fixed ``bucketBounds`` counted from the entry's exact response-time
/// histogram. Per failure kind: `locust_errors_total` (labels `method`, `name`, `error`). For the
/// run: `locust_users`, `locust_workers` (only when distributed), `locust_state` (one series per
/// state, 1 for the current one), `locust_fail_ratio` and `locust_exceptions_total`. In an open-model run
/// only: `locust_iterations_started_total`, `locust_iterations_dropped_total` and the service times as
/// `locust_service_time_seconds` (the response times then run from each iteration's intended start).
///
/// Counters restart from 0 after `/stats/reset`, which Prometheus treats as a counter reset.
public enum PrometheusExposition {
    /// The `Content-Type` of the exposition.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The upper bounds (seconds) of the response-time histogram's finite buckets; `+Inf` follows.
    public static let bucketBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Locust's runner states, each given a `locust_state` series.
    public static let states = ["ready", "spawning", "running", "cleanup", "stopping", "stopped", "missing"]

    /// The exposition text (every line ended by `\n`).
    /// - Parameters:
    ///   - snapshot: The statistics (on a master: every worker's merged).
    ///   - state: The runner's state (one of ``states``; another value gets its own series).
    ///   - userCount: The number of running users.
    ///   - workerCount: The number of connected workers on a master (Locust's `worker_count`);
    ///     `nil` leaves out `locust_workers`.
    public static func body(snapshot: StatsSnapshot, state: String, userCount: Int, workerCount: Int?) -> String {
        var output = ""
        let entries = snapshot.entries

        family(&output, "locust_requests_total", "counter", "Requests completed (failed ones included).")
        for entry in entries { sample(&output, "locust_requests_total", labels(entry), .int(entry.numRequests)) }

        family(&output, "locust_failures_total", "counter", "Requests that failed.")
        for entry in entries { sample(&output, "locust_failures_total", labels(entry), .int(entry.numFailures)) }

        family(&output, "locust_errors_total", "counter", "Failures per error message.")
        for error in snapshot.errors {
            sample(
                &output, "locust_errors_total",
                [("method", error.method), ("name", error.name), ("error", error.error)], .int(error.occurrences))
        }

        family(&output, "locust_response_time_seconds", "histogram", "Response times of the requests, in seconds.")
        for entry in entries { histogram(&output, entry) }

        family(&output, "locust_response_content_bytes_total", "counter", "Bytes of response bodies received.")
        for entry in entries {
            sample(&output, "locust_response_content_bytes_total", labels(entry), .int(entry.totalContentLength))
        }

        family(&output, "locust_current_rps", "gauge", "Requests per second over the last 10 seconds or so.")
        for entry in entries {
            sample(&output, "locust_current_rps", labels(entry), .double(snapshot.currentRPS(of: entry)))
        }

        family(&output, "locust_current_fail_per_sec", "gauge", "Failures per second over the last 10 seconds or so.")
        for entry in entries {
            sample(&output, "locust_current_fail_per_sec", labels(entry), .double(snapshot.currentFailPerSec(of: entry)))
        }

        family(&output, "locust_users", "gauge", "Users running.")
        sample(&output, "locust_users", [], .int(userCount))

        if let workerCount {
            family(&output, "locust_workers", "gauge", "Workers connected (ready, spawning or running).")
            sample(&output, "locust_workers", [], .int(workerCount))
        }

        family(&output, "locust_state", "gauge", "The runner's state: 1 for the current one.")
        let allStates = states.contains(state) ? states : states + [state]
        for name in allStates { sample(&output, "locust_state", [("state", name)], .int(name == state ? 1 : 0)) }

        family(&output, "locust_fail_ratio", "gauge", "Failed requests over all requests (0 to 1).")
        sample(&output, "locust_fail_ratio", [], .double(snapshot.total.failRatio))

        family(&output, "locust_exceptions_total", "counter", "Exceptions raised by user code (not request failures).")
        let exceptions = snapshot.exceptions.reduce(0) { $0 &+ $1.count }
        sample(&output, "locust_exceptions_total", [], .int(exceptions))

        if let open = snapshot.openModel {
            // Open-model runs only: the schedule's iterations, and the service times beside the response
            // times (which run from each iteration's intended start).
            family(&output, "locust_iterations_started_total", "counter", "Open model: iterations started on schedule.")
            sample(&output, "locust_iterations_started_total", [], .int(open.startedIterations))
            family(
                &output, "locust_iterations_dropped_total", "counter",
                "Open model: iterations due while --max-concurrency were in flight, not run.")
            sample(&output, "locust_iterations_dropped_total", [], .int(open.droppedIterations))
            family(
                &output, "locust_service_time_seconds", "histogram",
                "Open model: each request's own time, without its wait for the intended start, in seconds.")
            for entry in open.serviceEntries { histogram(&output, entry, name: "locust_service_time_seconds") }
        }
        return output
    }

    /// The cumulative number of an entry's response times at or below each bound of
    /// ``bucketBounds`` (in order), then the total count (`+Inf`).
    ///
    /// A value counts below a bound when the histogram bucket it was recorded in starts at or
    /// below it (the histogram keeps values to 0.1 %, so a value up to 0.1 % above a bound may count
    /// in that bound's bucket; a value exactly on a bound always does).
    public static func cumulativeBucketCounts(_ entry: StatsEntry) -> [Int] {
        let bounds = bucketBounds.map { UInt64(($0 * 1_000_000).rounded()) }
        var perBucket = [Int](repeating: 0, count: bounds.count)
        let histogram = entry.histogram.histogram
        var bucket = 0
        for item in histogram.recordedValues() {
            let lowest = histogram.lowestEquivalentForValue(item.value)
            while bucket < bounds.count, lowest > bounds[bucket] { bucket += 1 }
            if bucket == bounds.count { break }
            perBucket[bucket] &+= Int(clamping: item.count)
        }
        let total = entry.numRequests
        var running = 0
        var result: [Int] = []
        for count in perBucket {
            running &+= count
            result.append(min(running, total))
        }
        result.append(total)
        return result
    }

    /// A label value (or HELP text, with `quote: false`) escaped: `\` → `\\`, `"` → `\"`, newline → `\n`.
    public static func escape(_ text: String, quote: Bool = true) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\"" where quote: result += "\\\""
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    // MARK: Writing

    private enum Value {
        case int(Int)
        case double(Double)

        var text: String {
            switch self {
            case .int(let value): return String(value)
            case .double(let value): return PrometheusExposition.number(value)
            }
        }
    }

    /// A float as Prometheus reads it: `NaN`, `+Inf`, `-Inf`, or Python's `repr`.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        return PythonFormat.repr(value)
    }

    /// A bucket bound as Go's client writes it: `0.001`, `1`, `2.5`, `10`.
    static func bound(_ value: Double) -> String {
        let text = PythonFormat.repr(value)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    private static func labels(_ entry: StatsEntry) -> [(String, String)] {
        [("method", entry.method), ("name", entry.name)]
    }

    private static func family(_ output: inout String, _ name: String, _ type: String, _ help: String) {
        output += "# HELP \(name) \(escape(help, quote: false))\n# TYPE \(name) \(type)\n"
    }

    private static func sample(_ output: inout String, _ name: String, _ labels: [(String, String)], _ value: Value) {
        output += name
        if !labels.isEmpty {
            output += "{"
            output += labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
            output += "}"
        }
        output += " " + value.text + "\n"
    }

    private static func histogram(_ output: inout String, _ entry: StatsEntry, name: String = "locust_response_time_seconds") {
        let base = labels(entry)
        let counts = cumulativeBucketCounts(entry)
        for (index, count) in counts.enumerated() {
            let le = index < bucketBounds.count ? bound(bucketBounds[index]) : "+Inf"
            sample(&output, name + "_bucket", base + [("le", le)], .int(count))
        }
        sample(&output, name + "_sum", base, .double(entry.totalResponseTime / 1_000))
        sample(&output, name + "_count", base, .int(entry.numRequests))
    }
}
