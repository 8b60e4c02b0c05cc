/// Reads MessagePack values one at a time from a byte array, without building a tree: the fast way to
/// walk a message whose shape is known (read a map header, then each key and value).
///
/// Every read checks the input first: truncation, forged lengths and counts (an array header claiming
/// more elements than bytes remain), invalid UTF-8, `0xc1` and kind mismatches throw a
/// ``MessagePackError`` instead of trapping. A read that throws consumes nothing: ``offset`` stays on
/// the value that could not be read, so another read may be tried.
///
/// ```swift
/// var reader = MessagePackReader(frame)
/// guard try reader.readArrayHeader() == 3 else { ... }
/// let type = try reader.readString()
/// ```
///
/// ``readArrayHeader()`` and ``readMapHeader()`` leave nesting to the caller; ``readValue()`` and
/// ``skipValue()`` accept at most 64 levels of arrays and maps below the reader's position.
public struct MessagePackReader: Sendable {
    /// The whole input.
    private let bytes: [UInt8]
    /// The offset of the next value's first byte. Setting it outside `0...bytes.count` makes the next
    /// read throw.
    public var offset: Int

    /// A reader at the start of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    /// True when every byte has been read.
    public var isAtEnd: Bool { offset >= bytes.count }

    /// ``offset``, checked to lie within the input.
    @inline(__always)
    private func checkedOffset() throws(MessagePackError) -> Int {
        guard offset >= 0, offset <= bytes.count else {
            throw MessagePackError(offset: offset, reason: "offset outside the input of \(bytes.count) bytes")
        }
        return offset
    }

    /// The byte at ``offset`` when there is one (nil at the end or outside the input), for the fast
    /// paths of the commonest one-byte forms; everything else goes through the cursor.
    @inline(__always)
    private func nextByte() -> UInt8? {
        guard offset >= 0, offset < bytes.count else { return nil }
        return bytes[offset]
    }

    // Each read below runs a cursor over the input's contiguous storage and moves `offset` to where
    // the cursor ended only if the read succeeded. The bodies are spelled out rather than shared
    // through a generic helper taking a closure: with the helper, every read went through an extra
    // indirect call (seen in callgrind); spelled out, the storage access is inlined.

    /// The kind of the next value, without consuming it. Throws at the end of the input and on `0xc1`.
    public func peekKind() throws(MessagePackError) -> MessagePackKind {
        let position = try checkedOffset()
        return try bytes.withUnsafeBufferPointer { (buffer) throws(MessagePackError) -> MessagePackKind in
            // Safe: the cursor checks every index against `buffer.count` and lives only in this closure.
            try MessagePackCursor(buffer: buffer, position: position).peekKind()
        }
    }

    /// True, and the nil consumed, when the next value is nil; false, and nothing consumed, otherwise.
    /// Throws at the end of the input.
    public mutating func readNil() throws(MessagePackError) -> Bool {
        if let byte = nextByte(), byte != 0xc0 { return false }  // Fast path, no storage access below.
        var position = try checkedOffset()
        let result = try bytes.withUnsafeBufferPointer { (buffer) throws(MessagePackError) -> Bool in
            // Safe: the cursor checks every index against `buffer.count` and lives only in this closure.
            var cursor = MessagePackCursor(buffer: buffer, position: position)
            let result = try cursor.readNil()
            position = cursor.position
            return result
        }
        offset = position
        return result
    }

    /// The next value, which must be `false` or `true`.
    public mutating func readBool() throws(MessagePackError) -> Bool {
        var position = try checkedOffset()
        let result = try bytes.withUnsafeBufferPointer { (buffer) throws(MessagePackError) -> Bool in
            // Safe: the cursor checks every index against `buffer.count` and lives only in this closure.
            var cursor = MessagePackCursor(buffer: buffer, position: position)
            let result = try cursor.readBool()
            position = cursor.position
            return result
        }
        offset = position
        return result
    }

    /// The next value, which must be an integer (any format) that fits `Int`, or a float or double
    /// that is integral and in `Int`'s range.
    public mutating func readInt() throws(MessagePackError) -> Int {
        if let byte = nextByte() {
            if byte < 0x80 || byte >= 0xe0 {  // Fast path: a fixint.
                offset &+= 1
                return Int(Int8(bitPattern: byte))  // 0x00...0x7f are 0...127, 0xe0...0xff are -32...-1.
            }
            // Fast paths: uint 8, 16 and 32, the forms of histogram values (microseconds) and counts,
            // when all their bytes remain (`nextByte` checked that `offset` lies within the input).
            let remaining = bytes.count &- offset
            switch byte {
            case 0xcc where remaining >= 2:
                let value = Int(bytes[offset &+ 1])
                offset &+= 2
                return value
            case 0xcd where remaining >= 3:
                let value = Int(bytes[offset &+ 1]) << 8 | Int(bytes[offset &+ 2])
                offset &+= 3
                return value
            case 0xce where remaining >= 5:
                let value =
                    Int(bytes[offset &+ 1]) << 24 | Int(bytes[offset &+ 2]) << 16 | Int(bytes[offset &+ 3]) << 8
                    | Int(bytes[offset &+ 4])
                offset &+= 5
                return value
            default:
                break
            }
        }
        var position = try checkedOffset()
        let result = try bytes.withUnsafeBufferPointer { (buffer) throws(MessagePackError) -> Int in
            // Safe: the cursor checks every index against `buffer.count` and lives only in this closure.
            var cursor = MessagePackCursor(buffer: buffer, position: position)
            let result = try cursor.readInt()
            position = cursor.position
            return result
        }
        offset = position
        return result
    }

    /// The next value, which must be an integer or a float (any format), as a `Double`.
    public mutating func readDouble() throws(MessagePackError) -> Double {
        var position = try checkedOffset()
        let result = try bytes.withUnsafeBufferPointer { (buffer) throws(MessagePackError) -> Double in
            // Safe: the cursor checks every index against `buffer.count` and lives only in this closure.
            var cursor = MessagePackCursor(buffer: buffer, position: position)
            let result = try cursor.readDouble()
            position = cursor.position
            return result
        }
        offset = position
        return result
    }

    /// The next value, which must be a str holding valid UTF-8 (a bin holding valid UTF-8 is
    /// tolerated).
    public mutating func readString() throws(MessagePackError) -> String {
        var position = try checkedOffset()
        let result = try bytes.withUnsafeBufferPointer { (buffer) throws(MessagePackError) -> String in
            // Safe: the cursor checks every index against `buffer.count` and lives only in this closure.
            var cursor = MessagePackCursor(buffer: buffer, position: position)
            let result = try cursor.readString()
            position = cursor.position
            return result
        }
        offset = position
        return result
    }

    /// The element count of the next value, which must be an array; the elements follow. The count is
    /// at most the number of bytes left.
    public mutating func readArrayHeader() throws(MessagePackError) -> Int {
        if let byte = nextByte(), byte & 0xf0 == 0x90, Int(byte & 0x0f) < bytes.count &- offset {  // A fixarray.
            offset &+= 1
            return Int(byte & 0x0f)
        }
        var position = try checkedOffset()
        let result = try bytes.withUnsafeBufferPointer { (buffer) throws(MessagePackError) -> Int in
            // Safe: the cursor checks every index against `buffer.count` and lives only in this closure.
            var cursor = MessagePackCursor(buffer: buffer, position: position)
            let result = try cursor.readArrayHeader()
            position = cursor.position
            return result
        }
        offset = position
        return result
    }

    /// The pair count of the next value, which must be a map; the keys and values follow alternately.
    /// The count is at most half the number of bytes left.
    public mutating func readMapHeader() throws(MessagePackError) -> Int {
        if let byte = nextByte(), byte & 0xf0 == 0x80, Int(byte & 0x0f) &* 2 < bytes.count &- offset {  // A fixmap.
            offset &+= 1
            return Int(byte & 0x0f)
        }
        var position = try checkedOffset()
        let result = try bytes.withUnsafeBufferPointer { (buffer) throws(MessagePackError) -> Int in
            // Safe: the cursor checks every index against `buffer.count` and lives only in this closure.
            var cursor = MessagePackCursor(buffer: buffer, position: position)
            let result = try cursor.readMapHeader()
            position = cursor.position
            return result
        }
        offset = position
        return result
    }

    /// The next value, whole (at most 64 levels of arrays and maps).
    public mutating func readValue() throws(MessagePackError) -> MessagePackValue {
        var position = try checkedOffset()
        let result = try bytes.withUnsafeBufferPointer { (buffer) throws(MessagePackError) -> MessagePackValue in
            // Safe: the cursor checks every index against `buffer.count` and lives only in this closure.
            var cursor = MessagePackCursor(buffer: buffer, position: position)
            let result = try cursor.value(depth: 0)
            position = cursor.position
            return result
        }
        offset = position
        return result
    }

    /// Skips the next value, whole, checking it as ``readValue()`` does (structure, UTF-8 of strings,
    /// at most 64 levels), without building it.
    public mutating func skipValue() throws(MessagePackError) {
        var position = try checkedOffset()
        try bytes.withUnsafeBufferPointer { (buffer) throws(MessagePackError) -> Void in
            // Safe: the cursor checks every index against `buffer.count` and lives only in this closure.
            var cursor = MessagePackCursor(buffer: buffer, position: position)
            try cursor.skip(depth: 0)
            position = cursor.position
        }
        offset = position
    }
}
