/// The key of a ``StatsEntry``: its method and name. Cheap to hash on the hot path.
public struct StatsEntryKey: Hashable, Sendable, Codable {
    /// The request method.
    public let method: String
    /// The request name.
    public let name: String

    /// Creates a key.
    @inlinable
    public init(method: String, name: String) {
        self.method = method
        self.name = name
    }
}
