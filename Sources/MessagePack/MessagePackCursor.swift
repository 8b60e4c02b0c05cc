/// A read position in a borrowed byte buffer: the one place that touches the input's memory.
///
/// Every read is preceded by an explicit check against `buffer.count`, and lengths and element counts
/// from the input are checked against the bytes that remain before anything is read or allocated, so
/// no input can make it read out of bounds, trap or allocate more than the input's size. A cursor is
/// only created inside `Array.withUnsafeBufferPointer` and never outlives that closure.
struct MessagePackCursor {
    /// The deepest nesting of arrays and maps that ``value(depth:)`` and ``skip(depth:)`` accept.
    static let maximumDepth = 64

    /// The input (borrowed for the duration of one read).
    let buffer: UnsafeBufferPointer<UInt8>
    /// The offset of the next byte to read, `0...buffer.count`.
    var position: Int

    /// Bytes left after `position`.
    @inline(__always)
    var remaining: Int { buffer.count &- position }

    // MARK: Bytes, big endian

    /// Checks that `count` bytes remain for the part called `what` of the value at `start`.
    @inline(__always)
    func need(_ count: Int, _ what: StaticString, at start: Int) throws(MessagePackError) {
        guard remaining >= count else {
            throw MessagePackError(offset: start, reason: "truncated: \(what) needs \(Self.plural(count, "byte")), \(remaining) left")
        }
    }

    /// The next byte; the caller has checked that it exists.
    @inline(__always)
    mutating func uncheckedByte() -> UInt8 {
        // Safe: every caller checked `remaining >= 1` (or a larger `need`) first.
        let byte = buffer[position]
        position &+= 1
        return byte
    }

    /// The next two bytes as a big-endian number; the caller has checked that they exist.
    @inline(__always)
    mutating func uncheckedUInt16() -> UInt16 {
        // Safe: every caller checked `remaining >= 2` first.
        let value = UInt16(buffer[position]) &<< 8 | UInt16(buffer[position &+ 1])
        position &+= 2
        return value
    }

    /// The next four bytes as a big-endian number; the caller has checked that they exist.
    @inline(__always)
    mutating func uncheckedUInt32() -> UInt32 {
        // Safe: every caller checked `remaining >= 4` first.
        let value = UInt32(buffer[position]) &<< 24 | UInt32(buffer[position &+ 1]) &<< 16
            | UInt32(buffer[position &+ 2]) &<< 8 | UInt32(buffer[position &+ 3])
        position &+= 4
        return value
    }

    /// The next eight bytes as a big-endian number; the caller has checked that they exist.
    @inline(__always)
    mutating func uncheckedUInt64() -> UInt64 {
        let high = UInt64(uncheckedUInt32())
        return high &<< 32 | UInt64(uncheckedUInt32())
    }

    // MARK: Headers

    /// Reads the header of the next value: scalars whole, and for strings, binaries and exts the
    /// length, checked against what remains (the cursor then stands on the payload); for arrays and
    /// maps the count, checked against what remains (each element needs at least one byte).
    ///
    /// Lengths are read into a local before the check is called: in `self.check(self.read())` Swift
    /// evaluates `self` first, so the check would see the position before the length bytes.
    @inline(__always)
    mutating func head() throws(MessagePackError) -> MessagePackHead {
        let start = position
        guard remaining >= 1 else {
            throw MessagePackError(offset: start, reason: "truncated: input ended where a value was expected")
        }
        let byte = uncheckedByte()
        switch byte {
        case 0x00...0x7f:
            return .uint(UInt64(byte))
        case 0x80...0x8f:
            return try mapHead(Int(byte & 0x0f), start)
        case 0x90...0x9f:
            return try arrayHead(Int(byte & 0x0f), start)
        case 0xa0...0xbf:
            return try payloadHead(Int(byte & 0x1f), .string, start)
        case 0xc0:
            return .nil
        case 0xc1:
            throw MessagePackError(offset: start, reason: "0xc1 is never used")
        case 0xc2:
            return .bool(false)
        case 0xc3:
            return .bool(true)
        case 0xc4, 0xd9:
            try need(1, "8-bit length", at: start)
            let length = Int(uncheckedByte())
            return try payloadHead(length, byte == 0xc4 ? .binary : .string, start)
        case 0xc5, 0xda:
            try need(2, "16-bit length", at: start)
            let length = Int(uncheckedUInt16())
            return try payloadHead(length, byte == 0xc5 ? .binary : .string, start)
        case 0xc6, 0xdb:
            try need(4, "32-bit length", at: start)
            let length = Int(uncheckedUInt32())
            return try payloadHead(length, byte == 0xc6 ? .binary : .string, start)
        case 0xc7:
            try need(2, "ext8 header", at: start)
            let length = Int(uncheckedByte())
            return try extHead(length, start)
        case 0xc8:
            try need(3, "ext16 header", at: start)
            let length = Int(uncheckedUInt16())
            return try extHead(length, start)
        case 0xc9:
            try need(5, "ext32 header", at: start)
            let length = Int(uncheckedUInt32())
            return try extHead(length, start)
        case 0xca:
            try need(4, "float32", at: start)
            return .float(Float(bitPattern: uncheckedUInt32()))
        case 0xcb:
            try need(8, "float64", at: start)
            return .double(Double(bitPattern: uncheckedUInt64()))
        case 0xcc:
            try need(1, "uint8", at: start)
            return .uint(UInt64(uncheckedByte()))
        case 0xcd:
            try need(2, "uint16", at: start)
            return .uint(UInt64(uncheckedUInt16()))
        case 0xce:
            try need(4, "uint32", at: start)
            return .uint(UInt64(uncheckedUInt32()))
        case 0xcf:
            try need(8, "uint64", at: start)
            return .uint(uncheckedUInt64())
        case 0xd0:
            try need(1, "int8", at: start)
            return Self.signed(Int64(Int8(bitPattern: uncheckedByte())))
        case 0xd1:
            try need(2, "int16", at: start)
            return Self.signed(Int64(Int16(bitPattern: uncheckedUInt16())))
        case 0xd2:
            try need(4, "int32", at: start)
            return Self.signed(Int64(Int32(bitPattern: uncheckedUInt32())))
        case 0xd3:
            try need(8, "int64", at: start)
            return Self.signed(Int64(bitPattern: uncheckedUInt64()))
        case 0xd4...0xd8:
            // fixext 1, 2, 4, 8, 16: the type byte, then 1 << (byte - 0xd4) data bytes.
            let length = 1 &<< Int(byte &- 0xd4)
            try need(1 &+ length, "fixext", at: start)
            return .ext(type: Int8(bitPattern: uncheckedByte()), length: length)
        case 0xdc:
            try need(2, "array16 header", at: start)
            let count = Int(uncheckedUInt16())
            return try arrayHead(count, start)
        case 0xdd:
            try need(4, "array32 header", at: start)
            let count = Int(uncheckedUInt32())
            return try arrayHead(count, start)
        case 0xde:
            try need(2, "map16 header", at: start)
            let count = Int(uncheckedUInt16())
            return try mapHead(count, start)
        case 0xdf:
            try need(4, "map32 header", at: start)
            let count = Int(uncheckedUInt32())
            return try mapHead(count, start)
        default:  // 0xe0...0xff, negative fixint
            return .int(Int64(Int8(bitPattern: byte)))
        }
    }

    /// A signed format's value, canonical: `.uint` when it is >= 0.
    @inline(__always)
    static func signed(_ value: Int64) -> MessagePackHead {
        value < 0 ? .int(value) : .uint(UInt64(value))
    }

    /// A str or bin header whose `length` payload bytes must remain.
    @inline(__always)
    func payloadHead(_ length: Int, _ kind: MessagePackKind, _ start: Int) throws(MessagePackError) -> MessagePackHead {
        guard length <= remaining else {
            let name = kind == .string ? "string" : "binary"
            throw MessagePackError(offset: start, reason: "truncated: \(name) of \(Self.plural(length, "byte")), \(remaining) left")
        }
        return kind == .string ? .string(length: length) : .binary(length: length)
    }

    /// An ext header (length read, type byte next) whose payload must remain.
    @inline(__always)
    mutating func extHead(_ length: Int, _ start: Int) throws(MessagePackError) -> MessagePackHead {
        let type = Int8(bitPattern: uncheckedByte())  // Safe: the caller's `need` counted the type byte.
        guard length <= remaining else {
            throw MessagePackError(offset: start, reason: "truncated: ext of \(Self.plural(length, "byte")), \(remaining) left")
        }
        return .ext(type: type, length: length)
    }

    /// An array header: each of its `count` elements needs at least one byte.
    @inline(__always)
    func arrayHead(_ count: Int, _ start: Int) throws(MessagePackError) -> MessagePackHead {
        guard count <= remaining else {
            throw MessagePackError(offset: start, reason: "truncated: array of \(Self.plural(count, "element")), \(Self.plural(remaining, "byte")) left")
        }
        return .array(count: count)
    }

    /// A map header: each of its `count` pairs needs at least two bytes.
    @inline(__always)
    func mapHead(_ count: Int, _ start: Int) throws(MessagePackError) -> MessagePackHead {
        guard count <= remaining / 2 else {
            throw MessagePackError(offset: start, reason: "truncated: map of \(Self.plural(count, "pair")), \(Self.plural(remaining, "byte")) left")
        }
        return .map(count: count)
    }

    /// `1 byte`, `2 bytes`: a count and its noun, for error messages.
    static func plural(_ count: Int, _ noun: StaticString) -> String {
        count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
    }

    /// The error for a value of the wrong kind at `start`.
    static func mismatch(expected: StaticString, found kind: MessagePackKind, at start: Int) -> MessagePackError {
        MessagePackError(offset: start, reason: "expected \(expected), found \(kind)")
    }

    // MARK: Typed reads

    /// The kind of the next value, without consuming it.
    func peekKind() throws(MessagePackError) -> MessagePackKind {
        let start = position
        guard remaining >= 1 else {
            throw MessagePackError(offset: start, reason: "truncated: input ended where a value was expected")
        }
        switch buffer[position] {  // Safe: `remaining >= 1` was checked above.
        case 0x00...0x7f, 0xcc...0xd3, 0xe0...0xff: return .int
        case 0x80...0x8f, 0xde, 0xdf: return .map
        case 0x90...0x9f, 0xdc, 0xdd: return .array
        case 0xa0...0xbf, 0xd9...0xdb: return .string
        case 0xc0: return .nil
        case 0xc2, 0xc3: return .bool
        case 0xc4...0xc6: return .binary
        case 0xca, 0xcb: return .float
        case 0xc7...0xc9, 0xd4...0xd8: return .ext
        default: throw MessagePackError(offset: start, reason: "0xc1 is never used")  // Only 0xc1 is left.
        }
    }

    /// True (and consumed) when the next value is nil, false (nothing consumed) otherwise.
    mutating func readNil() throws(MessagePackError) -> Bool {
        guard remaining >= 1 else {
            throw MessagePackError(offset: position, reason: "truncated: input ended where a value was expected")
        }
        guard buffer[position] == 0xc0 else { return false }  // Safe: `remaining >= 1` was checked above.
        position &+= 1
        return true
    }

    /// `false` or `true`.
    mutating func readBool() throws(MessagePackError) -> Bool {
        let start = position
        let head = try head()
        guard case .bool(let value) = head else {
            throw Self.mismatch(expected: "a boolean", found: head.kind, at: start)
        }
        return value
    }

    /// Any integer format that fits `Int`, or a float that is integral and in range. (The reader tries
    /// fixints before it calls this.)
    mutating func readInt() throws(MessagePackError) -> Int {
        let start = position
        let head = try head()
        switch head {
        case .uint(let value):
            guard value <= UInt64(Int.max) else {
                throw MessagePackError(offset: start, reason: "integer \(value) does not fit Int")
            }
            return Int(value)
        case .int(let value):
            return Int(value)
        case .double(let value):
            guard let integer = Int(exactly: value) else {
                throw MessagePackError(offset: start, reason: "float \(value) is not an integer that fits Int")
            }
            return integer
        case .float(let value):
            guard let integer = Int(exactly: value) else {
                throw MessagePackError(offset: start, reason: "float \(value) is not an integer that fits Int")
            }
            return integer
        default:
            throw Self.mismatch(expected: "an integer", found: head.kind, at: start)
        }
    }

    /// Any integer or float format, as a `Double`.
    mutating func readDouble() throws(MessagePackError) -> Double {
        let start = position
        // Fast path: a float64, as Python writes floats. Safe: the 9 bytes read are checked to remain.
        if remaining >= 9, buffer[position] == 0xcb {
            position &+= 1
            return Double(bitPattern: uncheckedUInt64())
        }
        let head = try head()
        switch head {
        case .double(let value): return value
        case .uint(let value): return Double(value)
        case .int(let value): return Double(value)
        case .float(let value): return Double(value)
        default: throw Self.mismatch(expected: "a number", found: head.kind, at: start)
        }
    }

    /// A str (or a bin holding valid UTF-8).
    mutating func readString() throws(MessagePackError) -> String {
        let start = position
        if remaining >= 1 {  // Fast path: a fixstr, most keys.
            let byte = buffer[position]  // Safe: `remaining >= 1`.
            let length = Int(byte & 0x1f)
            if byte & 0xe0 == 0xa0, length < remaining {
                position &+= 1
                return try string(length: length, at: start)
            }
        }
        let head = try head()
        switch head {
        case .string(let length), .binary(let length):
            return try string(length: length, at: start)
        default:
            throw Self.mismatch(expected: "a string", found: head.kind, at: start)
        }
    }

    /// The next `length` bytes (checked by `head`) as validated UTF-8.
    @inline(__always)
    mutating func string(length: Int, at start: Int) throws(MessagePackError) -> String {
        // Safe: `head` checked `length <= remaining`, so the slice lies within the buffer.
        let bytes = UnsafeBufferPointer(rebasing: buffer[position..<position &+ length])
        guard Self.isValidUTF8(bytes) else {
            throw MessagePackError(offset: start, reason: "invalid UTF-8 in string")
        }
        position &+= length
        // Validated above; `String(decoding:as:)` is the standard library's fast (specialized) path,
        // where `String(validating:as:)` is generic at run time and several times slower.
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The next `length` bytes (checked by `head`), copied.
    @inline(__always)
    mutating func bytes(length: Int) -> [UInt8] {
        // Safe: `head` checked `length <= remaining`, so the slice lies within the buffer.
        let bytes = Array(buffer[position..<position &+ length])
        position &+= length
        return bytes
    }

    /// An array header's element count.
    mutating func readArrayHeader() throws(MessagePackError) -> Int {
        let start = position
        let head = try head()
        guard case .array(let count) = head else {
            throw Self.mismatch(expected: "an array", found: head.kind, at: start)
        }
        return count
    }

    /// A map header's pair count.
    mutating func readMapHeader() throws(MessagePackError) -> Int {
        let start = position
        let head = try head()
        guard case .map(let count) = head else {
            throw Self.mismatch(expected: "a map", found: head.kind, at: start)
        }
        return count
    }

    // MARK: Whole values

    /// The next value, inside `depth` enclosing arrays and maps.
    mutating func value(depth: Int) throws(MessagePackError) -> MessagePackValue {
        let start = position
        switch try head() {
        case .nil: return .nil
        case .bool(let value): return .bool(value)
        case .uint(let value): return .uint(value)
        case .int(let value): return .int(value)
        case .float(let value): return .float(value)
        case .double(let value): return .double(value)
        case .string(let length): return .string(try string(length: length, at: start))
        case .binary(let length): return .binary(bytes(length: length))
        case .ext(let type, let length): return .ext(type: type, data: bytes(length: length))
        case .array(let count):
            try Self.checkDepth(depth, at: start)
            var elements: [MessagePackValue] = []
            elements.reserveCapacity(count)  // At most the number of bytes left (checked by `head`).
            for _ in 0..<count { elements.append(try value(depth: depth &+ 1)) }
            return .array(elements)
        case .map(let count):
            try Self.checkDepth(depth, at: start)
            var pairs: [MessagePackValue.Pair] = []
            pairs.reserveCapacity(count)  // At most half the number of bytes left (checked by `head`).
            for _ in 0..<count {
                let key = try value(depth: depth &+ 1)
                pairs.append(MessagePackValue.Pair(key, try value(depth: depth &+ 1)))
            }
            return .map(pairs)
        }
    }

    /// Skips the next value, checking it as ``value(depth:)`` does (structure, UTF-8, depth).
    mutating func skip(depth: Int) throws(MessagePackError) {
        let start = position
        switch try head() {
        case .nil, .bool, .uint, .int, .float, .double: return
        case .string(let length):
            // Safe: `head` checked `length <= remaining`, so the slice lies within the buffer.
            let bytes = UnsafeBufferPointer(rebasing: buffer[position..<position &+ length])
            guard Self.isValidUTF8(bytes) else {
                throw MessagePackError(offset: start, reason: "invalid UTF-8 in string")
            }
            position &+= length
        case .binary(let length), .ext(_, let length):
            position &+= length  // Checked against what remains by `head`.
        case .array(let count):
            try Self.checkDepth(depth, at: start)
            for _ in 0..<count { try skip(depth: depth &+ 1) }
        case .map(let count):
            try Self.checkDepth(depth, at: start)
            for _ in 0..<count &* 2 { try skip(depth: depth &+ 1) }
        }
    }

    /// Throws when a container at `depth` would nest deeper than ``maximumDepth``.
    @inline(__always)
    static func checkDepth(_ depth: Int, at start: Int) throws(MessagePackError) {
        guard depth < maximumDepth else {
            throw MessagePackError(offset: start, reason: "nesting deeper than \(maximumDepth)")
        }
    }

    /// Whether `bytes` is valid UTF-8 (Unicode's table 3-7: no overlong forms, surrogates or values
    /// above U+10FFFF). ASCII is checked eight bytes at a time.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        var index = 0
        if let base = bytes.baseAddress {
            // Safe: each 8-byte load lies within `0..<count` (`index + 8 <= count`).
            let raw = UnsafeRawPointer(base)
            while index &+ 8 <= count,
                  raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index &+= 8
            }
        }
        while index < count {
            let lead = bytes[index]  // Safe: `index < count`.
            if lead < 0x80 {
                index &+= 1
                continue
            }
            /// Whether the byte at `at` exists and lies in `low...high`.
            func continuation(_ at: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xbf) -> Bool {
                at < count && bytes[at] >= low && bytes[at] <= high  // Safe: `at < count` is checked first.
            }
            switch lead {
            case 0xc2...0xdf:
                guard continuation(index &+ 1) else { return false }
                index &+= 2
            case 0xe0...0xef:
                let low: UInt8 = lead == 0xe0 ? 0xa0 : 0x80  // No overlong forms.
                let high: UInt8 = lead == 0xed ? 0x9f : 0xbf  // No surrogates.
                guard continuation(index &+ 1, low, high), continuation(index &+ 2) else { return false }
                index &+= 3
            case 0xf0...0xf4:
                let low: UInt8 = lead == 0xf0 ? 0x90 : 0x80  // No overlong forms.
                let high: UInt8 = lead == 0xf4 ? 0x8f : 0xbf  // Nothing above U+10FFFF.
                guard continuation(index &+ 1, low, high), continuation(index &+ 2), continuation(index &+ 3) else {
                    return false
                }
                index &+= 4
            default:  // 0x80...0xc1 (continuations, overlong leads), 0xf5...0xff.
                return false
            }
        }
        return true
    }
}
