/// One kind of failure: a (method, name, error message) triple and how often it occurred.
public struct StatsError: Sendable, Codable, Equatable {
    /// The request method.
    public let method: String
    /// The request name.
    public let name: String
    /// The error message.
    public let error: String
    /// How many times it occurred.
    public private(set) var occurrences: Int
    /// When it first occurred (seconds since the epoch).
    public private(set) var firstSeen: Double?
    /// When it last occurred (seconds since the epoch).
    public private(set) var lastSeen: Double?

    /// Creates an error entry.
    public init(
        method: String, name: String, error: String, occurrences: Int = 0,
        firstSeen: Double? = nil, lastSeen: Double? = nil
    ) {
        self.method = method
        self.name = name
        self.error = error
        self.occurrences = max(0, occurrences)
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }

    /// Counts one more occurrence at `time`.
    public mutating func occurred(at time: Double) {
        occurrences += 1
        if firstSeen == nil { firstSeen = time }
        lastSeen = max(lastSeen ?? time, time)
    }

    /// Adds the occurrences of `other` (same key): counts add, first/last seen combine.
    public mutating func merge(_ other: StatsError) {
        occurrences &+= other.occurrences
        if let otherFirst = other.firstSeen { firstSeen = min(firstSeen ?? otherFirst, otherFirst) }
        if let otherLast = other.lastSeen { lastSeen = max(lastSeen ?? otherLast, otherLast) }
    }

    /// The line Locust prints in its error report (`StatsError.to_name`): `"METHOD name: error"`.
    public var displayName: String { "\(method) \(name): \(error)" }

    /// Moves its times by `seconds` (a slave's clock onto its master's).
    mutating func shift(bySeconds seconds: Int) {
        firstSeen = firstSeen.map { $0 + Double(seconds) }
        lastSeen = lastSeen.map { $0 + Double(seconds) }
    }
}
