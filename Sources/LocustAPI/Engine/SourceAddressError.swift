/// A local address given to `--source-addresses` that connections cannot be bound to.
@_spi(Runner) public struct SourceAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The address as given.
    @_spi(Runner) public let address: String
    /// Why it cannot be used ("not a numeric IPv4 or IPv6 address", "Cannot assign requested address").
    @_spi(Runner) public let reason: String

    /// "ADDRESS: REASON".
    @_spi(Runner) public var description: String { "\(address): \(reason)" }
}
