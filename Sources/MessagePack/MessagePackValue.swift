/// One MessagePack value, as a tree.
///
/// Decoding is canonical so that `==` is useful: every integer >= 0 (in any format) decodes as
/// ``uint(_:)``, every negative one as ``int(_:)``, and `.int(5) != .uint(5)` (plain synthesized
/// equality). Encoding always writes the smallest form, as msgpack-python does, so `.int(5)` and
/// `.uint(5)` both encode to `0x05`. Maps keep their pairs in order, duplicates included, and keys may
/// be any value (Locust's `response_times` has integer keys).
///
/// Literals build values: `["type": "heartbeat", "data": nil, "count": 3]`.
public enum MessagePackValue: Sendable, Hashable {
    /// `nil` (`0xc0`): Python's `None`.
    case `nil`
    /// `false`, `true`.
    case bool(Bool)
    /// A signed integer; decoding yields it only for negative values.
    case int(Int64)
    /// An unsigned integer; decoding yields it for every value >= 0, whatever its format.
    case uint(UInt64)
    /// A `float32`.
    case float(Float)
    /// A `float64`: every Python float.
    case double(Double)
    /// A str: a Python `str`.
    case string(String)
    /// A bin: Python `bytes`.
    case binary([UInt8])
    /// An array: a Python list or tuple.
    case array([MessagePackValue])
    /// A map: a Python dict, its pairs in order (duplicates kept as sent).
    case map([MessagePackValue.Pair])
    /// An extension value of application-defined `type`.
    case ext(type: Int8, data: [UInt8])

    // MARK: Accessors

    /// True for ``nil``.
    public var isNil: Bool {
        if case .nil = self { return true }
        return false
    }

    /// The value of a ``bool(_:)``.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The value of an ``int(_:)`` or ``uint(_:)`` that fits `Int`, or of a ``float(_:)`` or
    /// ``double(_:)`` that is integral and in `Int`'s range.
    public var intValue: Int? {
        switch self {
        case .int(let value): Int(exactly: value)
        case .uint(let value): Int(exactly: value)
        case .float(let value): Int(exactly: value)
        case .double(let value): Int(exactly: value)
        default: nil
        }
    }

    /// The value of a ``double(_:)``, ``float(_:)``, ``int(_:)`` or ``uint(_:)`` as a `Double`.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): value
        case .float(let value): Double(value)
        case .int(let value): Double(value)
        case .uint(let value): Double(value)
        default: nil
        }
    }

    /// The text of a ``string(_:)``.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements of an ``array(_:)``.
    public var arrayValue: [MessagePackValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The pairs of a ``map(_:)``, in order.
    public var mapValue: [MessagePackValue.Pair]? {
        if case .map(let value) = self { return value }
        return nil
    }

    /// The value of the first pair whose key is `.string(key)`; nil when there is none or this is not
    /// a map.
    public subscript(key: String) -> MessagePackValue? {
        guard case .map(let pairs) = self else { return nil }
        for pair in pairs {
            if case .string(let candidate) = pair.key, candidate == key { return pair.value }
        }
        return nil
    }

    // MARK: Bytes

    /// The MessagePack encoding of this value, smallest forms as msgpack-python writes them.
    public func encoded() -> [UInt8] {
        var writer = MessagePackWriter()
        writer.write(self)
        return writer.bytes
    }

    /// The value that `bytes` encodes. The whole input must be one value: trailing bytes are an error
    /// (Python's `ExtraData`), as are truncation, invalid UTF-8, `0xc1` and nesting deeper than 64.
    public static func decode(_ bytes: [UInt8]) throws(MessagePackError) -> MessagePackValue {
        var reader = MessagePackReader(bytes)
        let value = try reader.readValue()
        let trailing = bytes.count - reader.offset
        guard trailing == 0 else {
            let noun = trailing == 1 ? "byte" : "bytes"
            throw MessagePackError(offset: reader.offset, reason: "\(trailing) trailing \(noun) after the value")
        }
        return value
    }
}
