/// Why a statistics payload from another process was refused: malformed MessagePack, or values no
/// honest peer sends (negative counts, mismatched arrays).
public struct StatsWireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public var reason: String

    /// An error saying `reason`.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { "bad statistics report: \(reason)" }
}
