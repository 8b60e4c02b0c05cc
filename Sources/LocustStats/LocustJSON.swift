/// The final statistics as `locust --json` prints them and `--json-file` writes them: Locust's
/// `json.dumps(stats.serialize_stats(), indent=4)` (`locust/stats.py`, `print_stats_json`).
///
/// A list with one object per request type that saw a request or a failure (the aggregated entry is
/// not in it), each with `StatsEntry.serialize()`'s keys in Locust's order:
///
/// ```json
/// [
///     {
///         "name": "/",
///         "method": "GET",
///         "last_request_timestamp": 1764000012.5,
///         "start_time": 1764000000.25,
///         "num_requests": 3,
///         "num_none_requests": 0,
///         "num_failures": 1,
///         "total_response_time": 311.5,
///         "max_response_time": 250.0,
///         "min_response_time": 12.5,
///         "total_content_length": 300,
///         "response_times": {
///             "12": 1,
///             "49": 1,
///             "250": 1
///         },
///         "num_reqs_per_sec": {
///             "1764000000": 2,
///             "1764000012": 1
///         },
///         "num_fail_per_sec": {
///             "1764000012": 1
///         }
///     }
/// ]
/// ```
///
/// `response_times` maps Locust's rounded response times (``bucket(_:)``) to counts, read from the
/// entry's HDR histogram: each of its buckets (0.1 % wide) counts at its middle value, so a sample
/// within 0.05 % of a rounding boundary may land in the neighbouring key. Keys of the maps are in
/// ascending order (Locust's are in the order first seen); numbers are written as Python writes them.
public enum LocustJSON {
    /// The JSON text of `snapshot`'s entries, without a final newline (Python's `print` adds one).
    public static func finalStats(_ snapshot: StatsSnapshot) -> String {
        let entries = snapshot.entries.filter { !($0.numRequests == 0 && $0.numFailures == 0) }
        return array(entries.map { entryObject($0, depth: 1) }, depth: 0)
    }

    /// Locust's `bucket_response_time`: below 100 ms to the whole millisecond, below 1,000 ms to
    /// 10 ms, below 10,000 ms to 100 ms, else to 1,000 ms; halves go to the even neighbour, as
    /// Python's `round` does.
    public static func bucket(_ milliseconds: Double) -> Int {
        let value = milliseconds.isFinite ? max(0, milliseconds) : 0
        let step: Double = value < 100 ? 1 : value < 1_000 ? 10 : value < 10_000 ? 100 : 1_000
        let rounded = (value / step).rounded(.toNearestOrEven) * step
        return rounded < 9.0e18 ? Int(rounded) : Int.max
    }

    /// The entry's response-time distribution as Locust keeps it: rounded milliseconds → count.
    public static func responseTimes(of entry: StatsEntry) -> [Int: Int] {
        let histogram = entry.histogram.histogram
        guard histogram.totalCount > 0 else { return [:] }
        let lowest = histogram.min
        let highest = histogram.maxRecorded
        var result: [Int: Int] = [:]
        for item in histogram.recordedValues() where item.count > 0 {
            let micros = min(max(histogram.medianEquivalentForValue(item.value), lowest), highest)
            result[bucket(Double(micros) / 1_000), default: 0] += Int(clamping: item.count)
        }
        return result
    }

    // MARK: Writing, as `json.dumps(..., indent=4)` lays it out

    private static func entryObject(_ entry: StatsEntry, depth: Int) -> String {
        let members: [(key: String, value: String)] = [
            ("name", string(entry.name)),
            ("method", string(entry.method)),
            ("last_request_timestamp", entry.lastRequestTimestamp.map(float) ?? "null"),
            ("start_time", float(entry.startTime)),
            ("num_requests", String(entry.numRequests)),
            ("num_none_requests", "0"),
            ("num_failures", String(entry.numFailures)),
            ("total_response_time", float(entry.totalResponseTime)),
            // Locust's `max_response_time` starts as the integer 0.
            ("max_response_time", entry.numRequests == 0 ? "0" : float(entry.maxResponseTime)),
            ("min_response_time", entry.minResponseTime.map(float) ?? "null"),
            ("total_content_length", String(entry.totalContentLength)),
            ("response_times", counts(responseTimes(of: entry), depth: depth + 1)),
            ("num_reqs_per_sec", counts(entry.requestsPerSecond, depth: depth + 1)),
            ("num_fail_per_sec", counts(entry.failuresPerSecond, depth: depth + 1)),
        ]
        return object(members, depth: depth)
    }

    /// `{"key": count, ...}` with integer keys in ascending order.
    private static func counts(_ counts: [Int: Int], depth: Int) -> String {
        object(counts.sorted { $0.key < $1.key }.map { (String($0.key), String($0.value)) }, depth: depth)
    }

    private static func object(_ members: [(key: String, value: String)], depth: Int) -> String {
        guard !members.isEmpty else { return "{}" }
        let inner = indent(depth + 1)
        let lines = members.map { inner + string($0.key) + ": " + $0.value }
        return "{\n" + lines.joined(separator: ",\n") + "\n" + indent(depth) + "}"
    }

    private static func array(_ elements: [String], depth: Int) -> String {
        guard !elements.isEmpty else { return "[]" }
        let inner = indent(depth + 1)
        return "[\n" + elements.map { inner + $0 }.joined(separator: ",\n") + "\n" + indent(depth) + "]"
    }

    private static func indent(_ depth: Int) -> String { String(repeating: " ", count: 4 * depth) }

    /// A string literal as Python's `json` writes it (`ensure_ascii`).
    private static func string(_ text: String) -> String { JSONValue.string(text).serialized() }

    /// A float as Python's `json` writes it (`repr`).
    private static func float(_ value: Double) -> String { JSONValue.double(value).serialized() }
}
