/// The header of one MessagePack value, as ``MessagePackCursor/head()`` reads it: scalars carry their
/// value, the other kinds their length (already checked against the bytes that remain).
enum MessagePackHead {
    /// `0xc0`.
    case `nil`
    /// `0xc2`, `0xc3`.
    case bool(Bool)
    /// Any integer format holding a value >= 0 (decoding is canonical: sign decides the case).
    case uint(UInt64)
    /// Any integer format holding a value < 0.
    case int(Int64)
    /// `float32`.
    case float(Float)
    /// `float64`.
    case double(Double)
    /// A str of `length` bytes; the cursor stands on its first byte.
    case string(length: Int)
    /// A bin of `length` bytes; the cursor stands on its first byte.
    case binary(length: Int)
    /// An array of `count` elements (at most as many as bytes remain).
    case array(count: Int)
    /// A map of `count` pairs (at most half as many as bytes remain).
    case map(count: Int)
    /// An ext of `type` with `length` data bytes; the cursor stands on the first data byte.
    case ext(type: Int8, length: Int)

    /// The family of this header.
    var kind: MessagePackKind {
        switch self {
        case .nil: .nil
        case .bool: .bool
        case .uint, .int: .int
        case .float, .double: .float
        case .string: .string
        case .binary: .binary
        case .array: .array
        case .map: .map
        case .ext: .ext
        }
    }
}
