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

    /// A histogram decoded from another process stays sparse (its buckets as pairs), whatever its
    /// size: merging a slave's report then costs its buckets, not an HDR array. Two sparse histograms
    /// merge into a sparse one up to this many pairs; past it, the receiving one becomes dense once and
    /// takes the buckets of every later one directly.
    static let sparseLimit = 256

    /// One bucket of the sparse form: a value (µs) and how many samples it holds.
    struct SparseBucket: Sendable, Equatable {
        var value: UInt64
        var count: UInt64
    }

    /// The dense HDR histogram, created at the first sample recorded here or when the sparse form
    /// would grow past ``sparseLimit`` in a merge; `nil` until then (an empty histogram allocates nothing).
    private var storage: Histogram<UInt64>?
    /// Samples not in `storage`: ascending values, counts above 0. The first and last values are the
    /// exact smallest and largest of these samples.
    private var pending: [SparseBucket] = []
    private var pendingCount: UInt64 = 0

    /// Creates an empty histogram.
    public init() {}

    private static func makeStorage() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }

    /// The underlying HDR histogram (values in microseconds); built from the sparse form if needed.
    public var histogram: Histogram<UInt64> {
        var dense = self
        dense.densify()
        return dense.storage ?? Self.makeStorage()
    }

    /// The number of samples recorded.
    public var count: Int { Int(clamping: (storage?.totalCount ?? 0) &+ pendingCount) }

    /// Whether no sample has been recorded.
    public var isEmpty: Bool { count == 0 }

    private var lowestMicroseconds: UInt64 {
        let dense = storage.flatMap { $0.totalCount > 0 ? $0.min : nil }
        let sparse = pending.first?.value
        switch (dense, sparse) {
        case let (a?, b?): return Swift.min(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        default: return 0
        }
    }

    private var highestMicroseconds: UInt64 {
        let dense = storage.flatMap { $0.totalCount > 0 ? $0.maxRecorded : nil }
        return Swift.max(dense ?? 0, pending.last?.value ?? 0)
    }

    /// The smallest sample in milliseconds, to the microsecond (0 when empty).
    public var minimum: Double { isEmpty ? 0 : Double(lowestMicroseconds) / 1_000 }

    /// The largest sample in milliseconds, to the microsecond (0 when empty).
    public var maximum: Double { isEmpty ? 0 : Double(highestMicroseconds) / 1_000 }

    /// Records one response time given in milliseconds (negative or non-finite values count as 0).
    public mutating func record(milliseconds: Double) {
        record(microseconds: Self.microseconds(fromMilliseconds: milliseconds))
    }

    /// Records one value in microseconds.
    @inline(__always)
    mutating func record(microseconds: UInt64) {
        if storage == nil || !pending.isEmpty { densify() }
        let value = Swift.min(microseconds, Self.maximumMicroseconds)
        if value > (storage?.highestTrackableValue ?? 0) { grow(toFit: value) }
        storage?.record(value)
    }

    /// Moves the sparse samples into the dense histogram (creating it).
    private mutating func densify() {
        if storage == nil { storage = Self.makeStorage() }
        guard !pending.isEmpty else { return }
        if let largest = pending.last?.value, largest > (storage?.highestTrackableValue ?? 0) { grow(toFit: largest) }
        for bucket in pending { storage?.record(bucket.value, count: bucket.count) }
        pending = []
        pendingCount = 0
    }

    /// Adds every sample of `other` (exact).
    public mutating func add(_ other: ResponseTimeHistogram) {
        if other.isEmpty { return }
        if isEmpty {
            self = other
            return
        }
        if let otherStorage = other.storage, otherStorage.totalCount > 0 {
            densify()
            if otherStorage.maxRecorded > (storage?.highestTrackableValue ?? 0) { grow(toFit: otherStorage.maxRecorded) }
            storage?.add(otherStorage)
        }
        guard !other.pending.isEmpty else { return }
        if storage == nil || storage?.totalCount == 0, pending.count + other.pending.count <= Self.sparseLimit {
            // Both sparse and small: merge the pairs, in order.
            pending = Self.merged(pending, other.pending)
            pendingCount &+= other.pendingCount
            return
        }
        densify()
        if let largest = other.pending.last?.value, largest > (storage?.highestTrackableValue ?? 0) { grow(toFit: largest) }
        for bucket in other.pending { storage?.record(bucket.value, count: bucket.count) }
    }

    private static func merged(_ left: [SparseBucket], _ right: [SparseBucket]) -> [SparseBucket] {
        var result: [SparseBucket] = []
        result.reserveCapacity(left.count + right.count)
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            if j == right.count || (i < left.count && left[i].value < right[j].value) {
                result.append(left[i])
                i += 1
            } else if i == left.count || right[j].value < left[i].value {
                result.append(right[j])
                j += 1
            } else {
                result.append(SparseBucket(value: left[i].value, count: left[i].count &+ right[j].count))
                i += 1
                j += 1
            }
        }
        return result
    }

    /// Widens the range in one step. hdrhistogram's own auto-resize grows one bucket range at a time
    /// through unspecialised code: 1.8 ms per decoded histogram against 27 µs this way (a master
    /// decoding hundreds of slave reports a second spent 92 % of its CPU there).
    mutating func grow(toFit value: UInt64) {
        let highest = Swift.min(Swift.max(value, 1024) * 2, Self.maximumMicroseconds)
        var wider = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: highest, numberOfSignificantValueDigits: .three)
        wider.autoResize = true
        if let storage, storage.totalCount > 0 { wider.add(storage) }
        storage = wider
    }

    /// Removes every sample (and gives back the memory).
    public mutating func reset() {
        self = ResponseTimeHistogram()
    }

    /// Histograms are equal when they hold the same samples, whatever their form.
    public static func == (lhs: ResponseTimeHistogram, rhs: ResponseTimeHistogram) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.storage == nil && rhs.storage == nil { return lhs.pending == rhs.pending }
        return lhs.sparse() == rhs.sparse()
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
        let histogram = self.histogram
        let total = histogram.totalCount
        let lowest = lowestMicroseconds
        let highest = highestMicroseconds
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

extension ResponseTimeHistogram {
    /// The sparse form: bucket values (µs) and counts. The first and last buckets carry the exact
    /// smallest and largest samples, so a histogram rebuilt from it answers every percentile exactly
    /// like the original.
    func sparse() -> (values: [UInt64], counts: [UInt64]) {
        if storage == nil || storage?.totalCount == 0 {
            return (pending.map(\.value), pending.map(\.count))
        }
        let histogram = self.histogram
        var values: [UInt64] = []
        var counts: [UInt64] = []
        for item in histogram.recordedValues() {
            values.append(item.value)
            counts.append(UInt64(item.count))
        }
        let low = lowestMicroseconds
        let high = highestMicroseconds
        if values.count == 1 {
            if counts[0] >= 2, low != high {
                values = [low, high]
                counts = [1, counts[0] - 1]
            } else {
                values[0] = high
            }
        } else if values.count > 1 {
            values[0] = low
            values[values.count - 1] = high
        }
        return (values, counts)
    }

    /// Rebuilds a histogram from its sparse form (values are clamped to the maximum), kept sparse.
    init(sparseValues values: [UInt64], counts: [UInt64]) {
        self.init(sparseBuckets: zip(values, counts).map { SparseBucket(value: $0, count: $1) })
    }

    /// Rebuilds a histogram from buckets in any order (empty ones are dropped, values clamped, equal
    /// values summed), kept sparse. Buckets as written (ascending, non-empty, within range) are kept
    /// as they are, without a copy: a master decodes about 50 of these per report, a thousand a second.
    init(sparseBuckets input: [SparseBucket]) {
        self.init()
        var total: UInt64 = 0
        var valid = true
        var last: UInt64?
        for bucket in input {
            if bucket.count == 0 || bucket.value > Self.maximumMicroseconds || (last.map { $0 >= bucket.value } ?? false) {
                valid = false
                break
            }
            last = bucket.value
            total &+= bucket.count
        }
        if valid {
            pending = input
            pendingCount = total
            return
        }
        var buckets = input
        var sorted = true
        var kept = 0
        var previous: UInt64?
        for index in buckets.indices {
            let bucket = buckets[index]
            guard bucket.count > 0 else { continue }
            let clamped = Swift.min(bucket.value, Self.maximumMicroseconds)
            if let previous, previous >= clamped { sorted = false }
            previous = clamped
            buckets[kept] = SparseBucket(value: clamped, count: bucket.count)
            kept += 1
            pendingCount &+= bucket.count
        }
        if kept < buckets.count { buckets.removeLast(buckets.count - kept) }
        if !sorted {
            buckets.sort { $0.value < $1.value }
            var unique: [SparseBucket] = []
            for bucket in buckets {
                if let last = unique.last, last.value == bucket.value {
                    unique[unique.count - 1].count &+= bucket.count
                } else {
                    unique.append(bucket)
                }
            }
            buckets = unique
        }
        pending = buckets
    }

    /// Records `count` samples of `microseconds` at once (Locust's buckets from a Python worker).
    mutating func record(microseconds: UInt64, count: UInt64) {
        guard count > 0 else { return }
        densify()
        let value = Swift.min(microseconds, Self.maximumMicroseconds)
        if value > (storage?.highestTrackableValue ?? 0) { grow(toFit: value) }
        storage?.record(value, count: count)
    }
}

extension ResponseTimeHistogram: Codable {
    private enum CodingKeys: String, CodingKey {
        case values
        case counts
    }

    /// Decodes the sparse form: parallel arrays of bucket values (µs) and counts.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let values = try container.decode([UInt64].self, forKey: .values)
        let counts = try container.decode([UInt64].self, forKey: .counts)
        guard values.count == counts.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .counts, in: container, debugDescription: "values and counts differ in length")
        }
        self.init(sparseValues: values, counts: counts)
    }

    /// Encodes the sparse form (see ``sparse()``).
    public func encode(to encoder: any Encoder) throws {
        let (values, counts) = sparse()
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(values, forKey: .values)
        try container.encode(counts, forKey: .counts)
    }
}
