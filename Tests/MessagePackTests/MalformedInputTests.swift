import MessagePack
import Testing

/// A value that uses every format family, for the truncation tests.
let everyFormatValue: MessagePackValue = [
    nil, true, false, 0, 127, 128, 256, 65536, 0x1_0000_0000, -1, -33, -129, -32769, -0x8000_0001,
    .float(1.5), 2.5, "", "fix", .string(String(repeating: "s", count: 40)), .string(String(repeating: "t", count: 300)),
    .binary([1, 2, 3]), .binary([UInt8](repeating: 7, count: 300)),
    [], [1, [2, [3]]], .array(Array(repeating: 1, count: 20)),
    [:], ["a": 1, 2: "b"], .map((0..<20).map { MessagePackValue.Pair(.uint(UInt64($0)), .double(Double($0))) }),
    .ext(type: 1, data: [1]), .ext(type: 2, data: [1, 2, 3]), .ext(type: 3, data: [UInt8](repeating: 0, count: 300)),
    "🦗 é",
]

struct MalformedInputTests {
    @Test("every strict prefix of a valid value throws a truncation error")
    func everyPrefix() throws {
        let bytes = everyFormatValue.encoded()
        #expect(try MessagePackValue.decode(bytes) == everyFormatValue)
        for length in 0..<bytes.count {
            let prefix = Array(bytes[0..<length])
            let error = messagePackError { try MessagePackValue.decode(prefix) }
            #expect(error?.reason.hasPrefix("truncated") == true, "prefix of \(length) bytes: \(String(describing: error))")
            var reader = MessagePackReader(prefix)
            #expect(messagePackError { try reader.skipValue() } != nil, "skipValue, prefix of \(length) bytes")
            #expect(reader.offset == 0)
        }
    }

    @Test("truncation errors say what was cut and where")
    func truncationMessages() {
        let cases: [(String, MessagePackError)] = [
            ("", .init(offset: 0, reason: "truncated: input ended where a value was expected")),
            ("d928616263", .init(offset: 0, reason: "truncated: string of 40 bytes, 3 left")),
            ("9201d9", .init(offset: 2, reason: "truncated: 8-bit length needs 1 byte, 0 left")),
            ("ce0102", .init(offset: 0, reason: "truncated: uint32 needs 4 bytes, 2 left")),
            ("cb00", .init(offset: 0, reason: "truncated: float64 needs 8 bytes, 1 left")),
            ("c40501", .init(offset: 0, reason: "truncated: binary of 5 bytes, 1 left")),
            ("d701", .init(offset: 0, reason: "truncated: fixext needs 9 bytes, 1 left")),
            ("c70401", .init(offset: 0, reason: "truncated: ext of 4 bytes, 0 left")),
            ("9301", .init(offset: 0, reason: "truncated: array of 3 elements, 1 byte left")),
            ("8201c0", .init(offset: 0, reason: "truncated: map of 2 pairs, 2 bytes left")),
            ("92cc01", .init(offset: 3, reason: "truncated: input ended where a value was expected")),
        ]
        for (text, expected) in cases {
            #expect(messagePackError { try MessagePackValue.decode(hex(text)) } == expected, "\(text)")
        }
    }

    @Test("forged huge headers fail before allocating")
    func forgedHeaders() {
        let cases: [(String, String)] = [
            ("ddffffffff", "truncated: array of 4294967295 elements, 0 bytes left"),
            ("dfffffffff", "truncated: map of 4294967295 pairs, 0 bytes left"),
            ("dbffffffff", "truncated: string of 4294967295 bytes, 0 left"),
            ("c6ffffffff", "truncated: binary of 4294967295 bytes, 0 left"),
            ("c9ffffffff01", "truncated: ext of 4294967295 bytes, 0 left"),
            ("dcffff000000", "truncated: array of 65535 elements, 3 bytes left"),
            ("deffff000000", "truncated: map of 65535 pairs, 3 bytes left"),
            ("dd00000003 0101", "truncated: array of 3 elements, 2 bytes left"),
            ("df00000002 010101", "truncated: map of 2 pairs, 3 bytes left"),
        ]
        for (text, reason) in cases {
            #expect(messagePackError { try MessagePackValue.decode(hex(text)) } == MessagePackError(offset: 0, reason: reason), "\(text)")
            var reader = MessagePackReader(hex(text))
            #expect(messagePackError { try reader.skipValue() }?.reason == reason)
        }
        var reader = MessagePackReader(hex("ddffffffff"))
        #expect(messagePackError { try reader.readArrayHeader() }?.reason == "truncated: array of 4294967295 elements, 0 bytes left")
        reader = MessagePackReader(hex("dfffffffff"))
        #expect(messagePackError { try reader.readMapHeader() }?.reason == "truncated: map of 4294967295 pairs, 0 bytes left")
        // Forged inside a valid-looking outer value.
        #expect(messagePackError { try MessagePackValue.decode(hex("9291ddffffffff")) } == MessagePackError(
            offset: 2, reason: "truncated: array of 4294967295 elements, 0 bytes left"))
    }

    @Test("nesting: 64 levels decode, 65 throw")
    func depth() throws {
        func nestedArrays(_ depth: Int) -> [UInt8] { [UInt8](repeating: 0x91, count: depth - 1) + [0x90] }
        func nestedMaps(_ depth: Int) -> [UInt8] { Array([[UInt8]](repeating: [0x81, 0x00], count: depth - 1).joined()) + [0x80] }
        for bytes in [nestedArrays(64), nestedMaps(64)] {
            _ = try MessagePackValue.decode(bytes)
            var reader = MessagePackReader(bytes)
            try reader.skipValue()
            #expect(reader.isAtEnd)
        }
        #expect(messagePackError { try MessagePackValue.decode(nestedArrays(65)) } == MessagePackError(offset: 64, reason: "nesting deeper than 64"))
        #expect(messagePackError { try MessagePackValue.decode(nestedMaps(65)) } == MessagePackError(offset: 128, reason: "nesting deeper than 64"))
        var reader = MessagePackReader(nestedArrays(65))
        #expect(messagePackError { try reader.skipValue() } == MessagePackError(offset: 64, reason: "nesting deeper than 64"))
        // A map key counts as a level too; a huge depth never recurses past the limit.
        #expect(messagePackError { try MessagePackValue.decode([UInt8](repeating: 0x81, count: 100_000)) } == MessagePackError(offset: 64, reason: "nesting deeper than 64"))
        #expect(messagePackError { try MessagePackValue.decode([UInt8](repeating: 0x91, count: 100_000) + [0x90]) } == MessagePackError(offset: 64, reason: "nesting deeper than 64"))
    }

    @Test("invalid UTF-8 in a str is an error", arguments: [
        "a2c328",  // bad continuation
        "a180",  // lone continuation
        "a2c080",  // overlong NUL
        "a3e08080",  // overlong
        "a3eda080",  // UTF-16 surrogate
        "a4f4908080",  // above U+10FFFF
        "a3f09fa6",  // truncated 4-byte sequence
        "a1ff",
    ])
    func invalidUTF8(_ text: String) {
        let expected = MessagePackError(offset: 0, reason: "invalid UTF-8 in string")
        #expect(messagePackError { try MessagePackValue.decode(hex(text)) } == expected)
        var reader = MessagePackReader(hex(text))
        #expect(messagePackError { try reader.readString() } == expected)
        #expect(messagePackError { try reader.skipValue() } == expected)
        // As a map key, deeper down.
        #expect(messagePackError { try MessagePackValue.decode(hex("9181") + hex(text) + [0x01]) } == MessagePackError(
            offset: 2, reason: "invalid UTF-8 in string"))
    }

    @Test("0xc1 is an error wherever it appears")
    func neverUsed() throws {
        #expect(messagePackError { try MessagePackValue.decode([0xc1]) } == MessagePackError(offset: 0, reason: "0xc1 is never used"))
        #expect(messagePackError { try MessagePackValue.decode(hex("9201c1")) } == MessagePackError(offset: 2, reason: "0xc1 is never used"))
        #expect(messagePackError { try MessagePackValue.decode(hex("81c101")) } == MessagePackError(offset: 1, reason: "0xc1 is never used"))
        var reader = MessagePackReader([0xc1])
        #expect(messagePackError { try reader.readInt() } == MessagePackError(offset: 0, reason: "0xc1 is never used"))
        #expect(messagePackError { try reader.skipValue() } == MessagePackError(offset: 0, reason: "0xc1 is never used"))
        #expect(try !reader.readNil())
    }

    @Test("trailing bytes after the value are an error (Python's ExtraData)")
    func trailingBytes() throws {
        #expect(messagePackError { try MessagePackValue.decode(hex("0102")) } == MessagePackError(offset: 1, reason: "1 trailing byte after the value"))
        #expect(messagePackError { try MessagePackValue.decode(hex("c0 0000000000000000")) } == MessagePackError(
            offset: 1, reason: "8 trailing bytes after the value"))
        #expect(messagePackError { try MessagePackValue.decode(hex("9101c1")) } == MessagePackError(offset: 2, reason: "1 trailing byte after the value"))
        // The reader itself stops after one value.
        var reader = MessagePackReader(hex("0102"))
        #expect(try reader.readValue() == 1)
        #expect(try reader.readValue() == 2)
        #expect(reader.isAtEnd)
    }
}
