/// The family of the next value in a MessagePack input, as ``MessagePackReader/peekKind()`` tells it.
public enum MessagePackKind: Sendable, Hashable, CustomStringConvertible {
    /// `nil` (`0xc0`).
    case `nil`
    /// `false` or `true` (`0xc2`, `0xc3`).
    case bool
    /// Any integer format: positive and negative fixint, `uint8`...`uint64`, `int8`...`int64`.
    case int
    /// `float32` or `float64`.
    case float
    /// The str family: fixstr, `str8`, `str16`, `str32`.
    case string
    /// The bin family: `bin8`, `bin16`, `bin32`.
    case binary
    /// fixarray, `array16`, `array32`.
    case array
    /// fixmap, `map16`, `map32`.
    case map
    /// fixext 1/2/4/8/16, `ext8`, `ext16`, `ext32`.
    case ext

    /// The kind with an article, as error messages use it: `an integer`, `a map`, `nil`.
    public var description: String {
        switch self {
        case .nil: "nil"
        case .bool: "a boolean"
        case .int: "an integer"
        case .float: "a float"
        case .string: "a string"
        case .binary: "binary data"
        case .array: "an array"
        case .map: "a map"
        case .ext: "an ext value"
        }
    }
}
