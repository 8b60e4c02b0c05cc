/// Writes MessagePack exactly as msgpack-python 1.x packs (`use_bin_type=True`): integers in their
/// smallest form, floats as `float64`, `str` in the str family (`str8` included), bytes as bin, and
/// arrays and maps with the smallest header.
///
/// ```swift
/// var writer = MessagePackWriter()
/// writer.writeArrayHeader(3)
/// writer.write("heartbeat")
/// writer.write(["state": "ready", "current_cpu_usage": 0.0] as MessagePackValue)
/// writer.write(nodeID)
/// send(writer.bytes)
/// ```
///
/// Lengths and counts must fit 32 bits (as in MessagePack itself); larger ones, and negative counts,
/// are programming errors and trap.
public struct MessagePackWriter: Sendable {
    /// What was written so far.
    public var bytes: [UInt8]

    /// An empty writer whose buffer has room for `reservingCapacity` bytes.
    public init(reservingCapacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(max(0, reservingCapacity))
    }

    // MARK: Scalars

    /// `nil` (`0xc0`).
    public mutating func writeNil() {
        bytes.append(0xc0)
    }

    /// `false` (`0xc2`) or `true` (`0xc3`).
    public mutating func write(_ value: Bool) {
        bytes.append(value ? 0xc3 : 0xc2)
    }

    /// An integer in its smallest form: positive fixint or `uint8`...`uint64` when >= 0, negative
    /// fixint or `int8`...`int64` when < 0.
    public mutating func write(_ value: Int) {
        writeSigned(Int64(value))
    }

    /// An integer in its smallest form: positive fixint or `uint8`...`uint64`.
    public mutating func write(_ value: UInt64) {
        if value < 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value))
        } else if value <= 0xff {
            append(0xcc, UInt8(truncatingIfNeeded: value))
        } else if value <= 0xffff {
            append(0xcd, UInt16(truncatingIfNeeded: value))
        } else if value <= 0xffff_ffff {
            append(0xce, UInt32(truncatingIfNeeded: value))
        } else {
            append(0xcf, value)
        }
    }

    /// A `float64` (`0xcb`), as Python writes every float.
    public mutating func write(_ value: Double) {
        append(0xcb, value.bitPattern)
    }

    /// A str: fixstr up to 31 bytes of UTF-8, then `str8`, `str16`, `str32`.
    public mutating func write(_ value: String) {
        let utf8 = value.utf8
        let count = utf8.count
        if count < 32 {
            bytes.append(0xa0 | UInt8(truncatingIfNeeded: count))
        } else {
            writeLength(count, eight: 0xd9, sixteen: 0xda, thirtyTwo: 0xdb)
        }
        bytes.append(contentsOf: utf8)
    }

    /// A bin: `bin8`, `bin16` or `bin32`.
    public mutating func write(bytes value: [UInt8]) {
        writeLength(value.count, eight: 0xc4, sixteen: 0xc5, thirtyTwo: 0xc6)
        bytes.append(contentsOf: value)
    }

    // MARK: Containers

    /// The header of an array of `count` elements (fixarray, `array16`, `array32`); write the elements
    /// next.
    public mutating func writeArrayHeader(_ count: Int) {
        if count < 16, count >= 0 {
            bytes.append(0x90 | UInt8(truncatingIfNeeded: count))
        } else {
            writeLength(count, eight: nil, sixteen: 0xdc, thirtyTwo: 0xdd)
        }
    }

    /// The header of a map of `count` pairs (fixmap, `map16`, `map32`); write each key then its value
    /// next.
    public mutating func writeMapHeader(_ count: Int) {
        if count < 16, count >= 0 {
            bytes.append(0x80 | UInt8(truncatingIfNeeded: count))
        } else {
            writeLength(count, eight: nil, sixteen: 0xde, thirtyTwo: 0xdf)
        }
    }

    /// A whole value. ``MessagePackValue/float(_:)`` is written as `float32`, everything else as the
    /// typed writes do; exts as fixext 1/2/4/8/16 when their size fits, else `ext8`/`16`/`32`.
    public mutating func write(_ value: MessagePackValue) {
        switch value {
        case .nil: writeNil()
        case .bool(let value): write(value)
        case .int(let value): writeSigned(value)
        case .uint(let value): write(value)
        case .float(let value): append(0xca, value.bitPattern)
        case .double(let value): write(value)
        case .string(let value): write(value)
        case .binary(let value): write(bytes: value)
        case .array(let elements):
            writeArrayHeader(elements.count)
            for element in elements { write(element) }
        case .map(let pairs):
            writeMapHeader(pairs.count)
            for pair in pairs {
                write(pair.key)
                write(pair.value)
            }
        case .ext(let type, let data):
            switch data.count {
            case 1: bytes.append(0xd4)
            case 2: bytes.append(0xd5)
            case 4: bytes.append(0xd6)
            case 8: bytes.append(0xd7)
            case 16: bytes.append(0xd8)
            default: writeLength(data.count, eight: 0xc7, sixteen: 0xc8, thirtyTwo: 0xc9)
            }
            bytes.append(UInt8(bitPattern: type))
            bytes.append(contentsOf: data)
        }
    }

    // MARK: Helpers

    /// A signed integer in its smallest form (the unsigned forms for values >= 0).
    @inline(__always)
    mutating func writeSigned(_ value: Int64) {
        if value >= 0 {
            write(UInt64(value))
        } else if value >= -32 {
            bytes.append(UInt8(truncatingIfNeeded: value))
        } else if value >= -0x80 {
            append(0xd0, UInt8(truncatingIfNeeded: value))
        } else if value >= -0x8000 {
            append(0xd1, UInt16(truncatingIfNeeded: value))
        } else if value >= -0x8000_0000 {
            append(0xd2, UInt32(truncatingIfNeeded: value))
        } else {
            append(0xd3, UInt64(bitPattern: value))
        }
    }

    /// A length header in the smallest of the 8- (when the family has one), 16- and 32-bit forms.
    @inline(__always)
    mutating func writeLength(_ count: Int, eight: UInt8?, sixteen: UInt8, thirtyTwo: UInt8) {
        precondition(count >= 0 && count <= 0xffff_ffff, "msgpack: a length or count must be in 0...2^32-1")
        if let eight, count <= 0xff {
            append(eight, UInt8(truncatingIfNeeded: count))
        } else if count <= 0xffff {
            append(sixteen, UInt16(truncatingIfNeeded: count))
        } else {
            append(thirtyTwo, UInt32(truncatingIfNeeded: count))
        }
    }

    /// A format byte and one byte.
    @inline(__always)
    mutating func append(_ head: UInt8, _ value: UInt8) {
        bytes.append(head)
        bytes.append(value)
    }

    /// A format byte and a big-endian 16-bit number.
    @inline(__always)
    mutating func append(_ head: UInt8, _ value: UInt16) {
        bytes.append(head)
        bytes.append(UInt8(truncatingIfNeeded: value &>> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// A format byte and a big-endian 32-bit number.
    @inline(__always)
    mutating func append(_ head: UInt8, _ value: UInt32) {
        bytes.append(head)
        bytes.append(UInt8(truncatingIfNeeded: value &>> 24))
        bytes.append(UInt8(truncatingIfNeeded: value &>> 16))
        bytes.append(UInt8(truncatingIfNeeded: value &>> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// A format byte and a big-endian 64-bit number.
    @inline(__always)
    mutating func append(_ head: UInt8, _ value: UInt64) {
        bytes.append(head)
        var shift: UInt64 = 56
        while true {
            bytes.append(UInt8(truncatingIfNeeded: value &>> shift))
            if shift == 0 { break }
            shift &-= 8
        }
    }
}
