/// An exception raised by user code (not a request failure): its message, where it was raised and
/// on which nodes, and how often — the rows of Locust's `_exceptions.csv`.
public struct StatsException: Sendable, Codable, Equatable {
    /// How many times it was raised.
    public private(set) var count: Int
    /// The exception message.
    public let message: String
    /// Where it was raised (a traceback-like location string).
    public let location: String
    /// The nodes (`"local"`, or worker ids) that raised it, sorted, without duplicates.
    public private(set) var nodes: [String]

    /// Creates an exception entry.
    public init(message: String, location: String, count: Int = 0, nodes: [String] = []) {
        self.message = message
        self.location = location
        self.count = max(0, count)
        self.nodes = Array(Set(nodes)).sorted()
    }

    /// Counts one more occurrence on `node`.
    public mutating func occurred(on node: String) {
        count += 1
        addNode(node)
    }

    /// Adds the occurrences and nodes of `other` (same key).
    public mutating func merge(_ other: StatsException) {
        count &+= other.count
        for node in other.nodes { addNode(node) }
    }

    private mutating func addNode(_ node: String) {
        if !nodes.contains(node) {
            nodes.append(node)
            nodes.sort()
        }
    }
}
