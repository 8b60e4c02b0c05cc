/// Why a value of a ``ScenarioOption`` was refused, in one line.
@_spi(Runner) public struct ScenarioOptionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line.
    public let description: String

    /// Creates the error.
    public init(_ description: String) { self.description = description }
}
