/// The response times of the last ``capacity`` wall-clock seconds, one histogram per second in a
/// ring, so that "current" percentiles over a recent window (Locust's
/// `get_current_response_time_percentile`, 10 s) can be computed exactly by merging the window.
public struct ResponseTimeWindow: Sendable, Equatable {
    /// How many seconds are kept.
    public static let capacity = 20

    /// Locust's `CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW`, in seconds.
    public static let defaultWindow = 10

    var seconds: [Int]
    var slots: [ResponseTimeHistogram]

    /// Moves the window's seconds by `seconds` (a slave's clock onto its master's).
    mutating func shift(bySeconds offset: Int) {
        for index in seconds.indices where seconds[index] != Int.min { seconds[index] &+= offset }
    }

    /// Creates an empty window.
    public init() {
        seconds = Array(repeating: Int.min, count: Self.capacity)
        slots = Array(repeating: ResponseTimeHistogram(), count: Self.capacity)
    }

    /// Records a response time in milliseconds that completed at `timestamp` (seconds since the epoch).
    public mutating func record(milliseconds: Double, at timestamp: Double) {
        record(
            microseconds: ResponseTimeHistogram.microseconds(fromMilliseconds: milliseconds),
            second: StatsEntry.second(of: timestamp))
    }

    /// The hot path. A sample older than every second kept is dropped.
    @inline(__always)
    mutating func record(microseconds: UInt64, second: Int) {
        let slot = Self.slot(of: second)
        if seconds[slot] != second {
            if seconds[slot] > second { return }
            slots[slot].reset()
            seconds[slot] = second
        }
        slots[slot].record(microseconds: microseconds)
    }

    /// Adds the seconds of `other`: equal seconds add, newer seconds replace older ones.
    public mutating func merge(_ other: ResponseTimeWindow) {
        for slot in 0 ..< Self.capacity where other.seconds[slot] != Int.min {
            add(other.slots[slot], second: other.seconds[slot])
        }
    }

    mutating func add(_ histogram: ResponseTimeHistogram, second: Int) {
        let slot = Self.slot(of: second)
        if seconds[slot] != second {
            if seconds[slot] > second { return }
            slots[slot].reset()
            seconds[slot] = second
        }
        slots[slot].add(histogram)
    }

    /// Forgets every second.
    public mutating func reset() {
        for slot in 0 ..< Self.capacity where seconds[slot] != Int.min {
            slots[slot].reset()
            seconds[slot] = Int.min
        }
    }

    /// The merged histogram of the `window` seconds ending with the one `now` falls in
    /// (seconds `now − window + 1 … now`, the current partial second included, as in Locust).
    public func histogram(endingAt now: Double, window: Int = defaultWindow) -> ResponseTimeHistogram {
        let end = StatsEntry.second(of: now)
        let first = end - min(max(window, 1), Self.capacity) + 1
        var merged = ResponseTimeHistogram()
        for slot in 0 ..< Self.capacity where seconds[slot] >= first && seconds[slot] <= end {
            merged.add(slots[slot])
        }
        return merged
    }

    /// The response time in milliseconds at the fraction `percentile` (0...1) over the recent
    /// window, or `nil` when no request completed in it.
    public func percentile(_ percentile: Double, endingAt now: Double, window: Int = defaultWindow) -> Double? {
        percentiles([percentile], endingAt: now, window: window)?.first
    }

    /// Several percentiles over the recent window from one merge, or `nil` when it is empty.
    public func percentiles(_ percentiles: [Double], endingAt now: Double, window: Int = defaultWindow) -> [Double]? {
        let merged = histogram(endingAt: now, window: window)
        guard !merged.isEmpty else { return nil }
        return merged.values(atPercentiles: percentiles)
    }

    @inline(__always)
    private static func slot(of second: Int) -> Int {
        let remainder = second % capacity
        return remainder < 0 ? remainder + capacity : remainder
    }
}

extension ResponseTimeWindow {
    /// The non-empty seconds held, oldest first.
    var occupiedSeconds: [(second: Int, histogram: ResponseTimeHistogram)] {
        var items: [(second: Int, histogram: ResponseTimeHistogram)] = []
        for slot in 0 ..< Self.capacity where seconds[slot] != Int.min && !slots[slot].isEmpty {
            items.append((seconds[slot], slots[slot]))
        }
        return items.sorted { $0.second < $1.second }
    }
}

extension ResponseTimeWindow: Codable {
    private struct Second: Codable {
        let second: Int
        let histogram: ResponseTimeHistogram
    }

    /// Decodes the seconds held (only non-empty ones are encoded).
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.singleValueContainer()
        for item in try container.decode([Second].self) {
            add(item.histogram, second: item.second)
        }
    }

    /// Encodes the non-empty seconds as a list of `{second, histogram}`.
    public func encode(to encoder: any Encoder) throws {
        var items: [Second] = []
        for slot in 0 ..< Self.capacity where seconds[slot] != Int.min && !slots[slot].isEmpty {
            items.append(Second(second: seconds[slot], histogram: slots[slot]))
        }
        items.sort { $0.second < $1.second }
        var container = encoder.singleValueContainer()
        try container.encode(items)
    }
}
