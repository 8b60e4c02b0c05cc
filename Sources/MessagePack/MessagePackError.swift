/// Why a MessagePack input could not be read, and where.
///
/// Every failure of ``MessagePackReader`` and ``MessagePackValue/decode(_:)`` is one of these: the
/// input is never trusted, so truncation, forged lengths, invalid UTF-8, excessive nesting, the unused
/// byte `0xc1`, trailing bytes and type mismatches are reported instead of trapping.
public struct MessagePackError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The byte offset in the input at which the problem was found (usually the first byte of the
    /// value being read).
    public var offset: Int
    /// What went wrong, e.g. `truncated: string of 40 bytes, 3 left` or
    /// `expected an integer, found a map`.
    public var reason: String

    /// Creates an error at `offset` for `reason`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// `msgpack: <reason> at byte <offset>`.
    public var description: String { "msgpack: \(reason) at byte \(offset)" }
}
