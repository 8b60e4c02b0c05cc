import Histogram

/// A response-time distribution: an HDR histogram of values in microseconds with three significant
/// digits (every value is kept to within 0.1 %), auto-resizing so that it only grows as far as the
/// slowest response seen.
///
/// Merging two histograms (``add(_:)``) is exact: the result equals recording all samples into one.
/// The `Codable` form is sparse (only buckets that hold samples), which keeps snapshots small.
public struct ResponseTimeHistogram: Sendable, Equatable {
    /// The largest value recorded, in microseconds (about 12.7 days); larger values are clamped.
    public static let maximumMicroseconds: UInt64 = 1 << 40

    /// The underlying HDR histogram (values in microseconds).
    public private(set) var histogram: Histogram<UInt64>

    /// Creates an empty histogram.
    public init() {
        histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
    }

    /// The number of samples recorded.
    public var count: Int { Int(clamping: histogram.totalCount) }

    /// Whether no sample has been recorded.
    public var isEmpty: Bool { histogram.totalCount == 0 }

    /// The smallest sample in milliseconds, to the microsecond (0 when empty).
    public var minimum: Double { isEmpty ? 0 : Double(histogram.min) / 1_000 }

    /// The largest sample in milliseconds, to the microsecond (0 when empty).
    public var maximum: Double { isEmpty ? 0 : Double(histogram.maxRecorded) / 1_000 }

    /// Records one response time given in milliseconds (negative or non-finite values count as 0).
    public mutating func record(milliseconds: Double) {
        record(microseconds: Self.microseconds(fromMilliseconds: milliseconds))
    }

    /// Records one value in microseconds.
    @inline(__always)
    mutating func record(microseconds: UInt64) {
        let value = Swift.min(microseconds, Self.maximumMicroseconds)
        if value > histogram.highestTrackableValue { grow(toFit: value) }
        histogram.record(value)
    }

    /// Adds every sample of `other` (exact).
    public mutating func add(_ other: ResponseTimeHistogram) {
        if other.isEmpty { return }
        if isEmpty {
            self = other
            return
        }
        if other.histogram.maxRecorded > histogram.highestTrackableValue { grow(toFit: other.histogram.maxRecorded) }
        histogram.add(other.histogram)
    }

    /// Widens the range in one step. hdrhistogram's own auto-resize grows one bucket range at a time
    /// through unspecialised code: 1.8 ms per decoded histogram against 27 µs this way (a master
    /// decoding hundreds of slave reports a second spent 92 % of its CPU there).
    mutating func grow(toFit value: UInt64) {
        let highest = Swift.min(Swift.max(value, 1024) * 2, Self.maximumMicroseconds)
        var wider = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: highest, numberOfSignificantValueDigits: .three)
        wider.autoResize = true
        if histogram.totalCount > 0 { wider.add(histogram) }
        histogram = wider
    }

    /// Removes every sample (and gives back the memory of a grown range).
    public mutating func reset() {
        self = ResponseTimeHistogram()
    }

    /// The value in milliseconds below or at which the fraction `percentile` (0...1) of the samples
    /// lie, by the nearest-rank rule (rank `ceil(p * n)`); within 0.1 % of the exact sample value.
    /// `1.0` gives the largest sample, `0` the smallest; 0 when empty.
    public func value(atPercentile percentile: Double) -> Double {
        values(atPercentiles: [percentile])[0]
    }

    /// Several percentiles (fractions, 0...1) from a single pass over the buckets; see
    /// ``value(atPercentile:)``. The result is in the order of `percentiles`.
    public func values(atPercentiles percentiles: [Double]) -> [Double] {
        guard !isEmpty, !percentiles.isEmpty else { return percentiles.map { _ in 0 } }
        let total = histogram.totalCount
        let lowest = histogram.min
        let highest = histogram.maxRecorded
        // The rank each percentile needs, computed like HdrHistogram's `valueAtPercentile`.
        var results = [UInt64](repeating: 0, count: percentiles.count)
        var pending: [(rank: UInt64, index: Int)] = []
        for (index, percentile) in percentiles.enumerated() {
            let percent = percentile.isNaN ? 0 : Swift.min(Swift.max(percentile, 0), 1) * 100
            if percent == 0 {
                results[index] = lowest
            } else if percent >= 100 {
                results[index] = highest
            } else {
                let fraction = (Swift.max(percent.nextDown, 0) * Double(total)) / 100
                pending.append((Swift.max(1, UInt64(fraction.rounded(.up))), index))
            }
        }
        pending.sort { $0.rank < $1.rank }
        var next = 0
        if !pending.isEmpty {
            // `recordedValues()` is inlinable, so this loop is specialised (unlike `valueAtPercentile`).
            for item in histogram.recordedValues() {
                while next < pending.count, item.totalCountToThisValue >= pending[next].rank {
                    results[pending[next].index] = Swift.max(Swift.min(item.value, highest), lowest)
                    next += 1
                }
                if next == pending.count { break }
            }
        }
        while next < pending.count {
            results[pending[next].index] = highest
            next += 1
        }
        return results.map { Double($0) / 1_000 }
    }

    /// Converts milliseconds to whole microseconds (rounded; negative, NaN → 0; clamped).
    @inline(__always)
    static func microseconds(fromMilliseconds milliseconds: Double) -> UInt64 {
        guard milliseconds > 0 else { return 0 }
        let micros = (milliseconds * 1_000).rounded()
        return micros < Double(maximumMicroseconds) ? UInt64(micros) : maximumMicroseconds
    }
}

extension ResponseTimeHistogram: Codable {
    private enum CodingKeys: String, CodingKey {
        case values
        case counts
    }

    /// Decodes the sparse form: parallel arrays of bucket values (µs) and counts.
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let values = try container.decode([UInt64].self, forKey: .values)
        let counts = try container.decode([UInt64].self, forKey: .counts)
        guard values.count == counts.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .counts, in: container, debugDescription: "values and counts differ in length")
        }
        if let largest = values.max(), Swift.min(largest, Self.maximumMicroseconds) > histogram.highestTrackableValue {
            grow(toFit: Swift.min(largest, Self.maximumMicroseconds))
        }
        for (value, count) in zip(values, counts) where count > 0 {
            histogram.record(Swift.min(value, Self.maximumMicroseconds), count: count)
        }
    }

    /// Encodes the sparse form. The first and last buckets carry the exact smallest and largest
    /// samples, so a decoded histogram answers every percentile exactly like the original.
    public func encode(to encoder: any Encoder) throws {
        var values: [UInt64] = []
        var counts: [UInt64] = []
        for item in histogram.recordedValues() {
            values.append(item.value)
            counts.append(UInt64(item.count))
        }
        if values.count == 1 {
            let low = histogram.min
            let high = histogram.maxRecorded
            if counts[0] >= 2, low != high {
                values = [low, high]
                counts = [1, counts[0] - 1]
            } else {
                values[0] = high
            }
        } else if values.count > 1 {
            values[0] = histogram.min
            values[values.count - 1] = histogram.maxRecorded
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(values, forKey: .values)
        try container.encode(counts, forKey: .counts)
    }
}
