import MessagePack
import Testing

struct ReaderTests {
    @Test("peekKind names every family and consumes nothing")
    func peekKind() throws {
        let cases: [(String, MessagePackKind)] = [
            ("c0", .nil), ("c2", .bool), ("c3", .bool), ("00", .int), ("7f", .int), ("e0", .int), ("ff", .int),
            ("cc01", .int), ("cf0000000000000001", .int), ("d001", .int), ("d30000000000000001", .int),
            ("ca00000000", .float), ("cb0000000000000000", .float), ("a0", .string), ("bf", .string),
            ("d900", .string), ("da0000", .string), ("db00000000", .string), ("c400", .binary), ("c50000", .binary),
            ("c600000000", .binary), ("90", .array), ("9f", .array), ("dc0000", .array), ("dd00000000", .array),
            ("80", .map), ("8f", .map), ("de0000", .map), ("df00000000", .map), ("d40100", .ext), ("d801", .ext),
            ("c70001", .ext), ("c8000001", .ext), ("c90000000001", .ext),
        ]
        for (text, kind) in cases {
            let reader = MessagePackReader(hex(text))
            #expect(try reader.peekKind() == kind, "\(text)")
            #expect(reader.offset == 0)
        }
        #expect(messagePackError { try MessagePackReader([0xc1]).peekKind() } == MessagePackError(offset: 0, reason: "0xc1 is never used"))
        #expect(messagePackError { try MessagePackReader([]).peekKind() }?.reason.hasPrefix("truncated") == true)
    }

    @Test("readNil consumes a nil and nothing else")
    func readNil() throws {
        var reader = MessagePackReader(hex("c005"))
        #expect(try reader.readNil())
        #expect(reader.offset == 1)
        #expect(try !reader.readNil())
        #expect(reader.offset == 1)
        #expect(try reader.readInt() == 5)
        #expect(reader.isAtEnd)
        #expect(messagePackError { try reader.readNil() }?.reason.hasPrefix("truncated") == true)
    }

    @Test("readInt takes every integer format and integral floats")
    func readInt() throws {
        let cases: [(String, Int)] = [
            ("00", 0), ("7f", 127), ("ccff", 255), ("cdffff", 65535), ("ceffffffff", 0xffff_ffff),
            ("cf7fffffffffffffff", .max), ("ff", -1), ("e0", -32), ("d080", -128), ("d18000", -32768),
            ("d280000000", Int(Int32.min)), ("d38000000000000000", .min), ("d005", 5),
            ("cb4008000000000000", 3), ("cbc008000000000000", -3), ("ca40000000", 2), ("cb41dac3cec8000000", 1_796_160_288),
            ("cb8000000000000000", 0),
        ]
        for (text, expected) in cases {
            var reader = MessagePackReader(hex(text))
            #expect(try reader.readInt() == expected, "\(text)")
            #expect(reader.isAtEnd)
        }
        let failures: [(String, String)] = [
            ("cfffffffffffffffff", "integer 18446744073709551615 does not fit Int"),
            ("cb3ff8000000000000", "float 1.5 is not an integer that fits Int"),
            ("cb43e0000000000000", "float 9.223372036854776e+18 is not an integer that fits Int"),
            ("cb7ff8000000000000", "float nan is not an integer that fits Int"),
            ("ca7f800000", "float inf is not an integer that fits Int"),
            ("a3616263", "expected an integer, found a string"),
            ("80", "expected an integer, found a map"),
            ("c0", "expected an integer, found nil"),
            ("c3", "expected an integer, found a boolean"),
        ]
        for (text, reason) in failures {
            var reader = MessagePackReader(hex(text))
            #expect(messagePackError { try reader.readInt() } == MessagePackError(offset: 0, reason: reason), "\(text)")
            #expect(reader.offset == 0, "a failed read consumes nothing")
        }
    }

    @Test("readInt's uint 8/16/32 fast paths read in place, and a truncated one throws and consumes nothing")
    func readIntFastPaths() throws {
        // After a leading value, so that the fast path reads at an offset other than 0.
        var reader = MessagePackReader(hex("01" + "cc80" + "cd0102" + "ce01020304" + "cd"))
        #expect(try reader.readInt() == 1)
        #expect(try reader.readInt() == 0x80)
        #expect(try reader.readInt() == 0x0102)
        #expect(try reader.readInt() == 0x0102_0304)
        #expect(reader.offset == 11)
        #expect(messagePackError { try reader.readInt() }?.reason.hasPrefix("truncated") == true)
        #expect(reader.offset == 11)
        for text in ["cc", "cdff", "ceffffff"] {
            var truncated = MessagePackReader(hex(text))
            #expect(messagePackError { try truncated.readInt() }?.reason.hasPrefix("truncated") == true, "\(text)")
            #expect(truncated.offset == 0, "\(text)")
        }
    }

    @Test("readDouble takes every number format")
    func readDouble() throws {
        let cases: [(String, Double)] = [
            ("cb3ff8000000000000", 1.5), ("ca3fc00000", 1.5), ("05", 5), ("ff", -1), ("cfffffffffffffffff", 18_446_744_073_709_551_616),
            ("d38000000000000000", -9_223_372_036_854_775_808),
        ]
        for (text, expected) in cases {
            var reader = MessagePackReader(hex(text))
            #expect(try reader.readDouble() == expected, "\(text)")
        }
        var reader = MessagePackReader(hex("a0"))
        #expect(messagePackError { try reader.readDouble() } == MessagePackError(offset: 0, reason: "expected a number, found a string"))
    }

    @Test("readString takes the str family and valid UTF-8 bin")
    func readString() throws {
        var reader = MessagePackReader(hex("a3474554 d90161 c402c3a9 a0 c401ff 05"))
        #expect(try reader.readString() == "GET")
        #expect(try reader.readString() == "a")
        #expect(try reader.readString() == "é")
        #expect(try reader.readString() == "")
        #expect(messagePackError { try reader.readString() } == MessagePackError(offset: 12, reason: "invalid UTF-8 in string"))
        #expect(reader.offset == 12)
        reader.offset = 15
        #expect(messagePackError { try reader.readString() } == MessagePackError(offset: 15, reason: "expected a string, found an integer"))
    }

    @Test("readBool, headers, skipValue and readValue walk a message")
    func walk() throws {
        let message: MessagePackValue = [
            "stats", ["user_count": 4, "ok": true, "skip": [1, [2, ["x": nil]], "y"], "times": [3: 1, 200: 7]], "node",
        ]
        var reader = MessagePackReader(message.encoded())
        #expect(try reader.readArrayHeader() == 3)
        #expect(try reader.readString() == "stats")
        #expect(try reader.readMapHeader() == 4)
        #expect(try reader.readString() == "user_count")
        #expect(try reader.readInt() == 4)
        #expect(try reader.readString() == "ok")
        #expect(try reader.readBool())
        #expect(try reader.readString() == "skip")
        try reader.skipValue()
        #expect(try reader.readString() == "times")
        #expect(try reader.readValue() == [3: 1, 200: 7])
        #expect(try reader.peekKind() == .string)
        #expect(try reader.readString() == "node")
        #expect(reader.isAtEnd)
        #expect(messagePackError { try reader.readValue() } == MessagePackError(offset: reader.offset, reason: "truncated: input ended where a value was expected"))

        var wrong = MessagePackReader(hex("93010203"))
        #expect(messagePackError { try wrong.readMapHeader() } == MessagePackError(offset: 0, reason: "expected a map, found an array"))
        #expect(messagePackError { try wrong.readBool() } == MessagePackError(offset: 0, reason: "expected a boolean, found an array"))
        // A truncated header is reported as such, whatever kind was asked for.
        var truncated = MessagePackReader(hex("93"))
        #expect(messagePackError { try truncated.readArrayHeader() } == MessagePackError(offset: 0, reason: "truncated: array of 3 elements, 0 bytes left"))
        #expect(messagePackError { try truncated.readMapHeader() } == MessagePackError(offset: 0, reason: "truncated: array of 3 elements, 0 bytes left"))
    }

    @Test("an offset set outside the input makes reads throw")
    func offsetOutside() {
        var reader = MessagePackReader([0x01, 0x02])
        for offset in [-1, 3, Int.max, Int.min] {
            reader.offset = offset
            let expected = MessagePackError(offset: offset, reason: "offset outside the input of 2 bytes")
            #expect(messagePackError { try reader.readInt() } == expected)
            #expect(messagePackError { try reader.peekKind() } == expected)
            #expect(messagePackError { try reader.skipValue() } == expected)
        }
        reader.offset = 2
        #expect(reader.isAtEnd)
        #expect(messagePackError { try reader.readInt() }?.reason == "truncated: input ended where a value was expected")
    }

    @Test("every entry point throws MessagePackError, typed")
    func typedThrows() {
        func walk(_ bytes: [UInt8]) throws(MessagePackError) -> Int {
            var reader = MessagePackReader(bytes)
            _ = try reader.peekKind()
            _ = try reader.readNil()
            var total = try reader.readArrayHeader()
            total += try reader.readMapHeader()
            total += try reader.readInt()
            total += Int(try reader.readDouble())
            total += try reader.readBool() ? 1 : 0
            total += try reader.readString().utf8.count
            try reader.skipValue()
            _ = try reader.readValue()
            return total + (try MessagePackValue.decode(bytes)).encoded().count
        }
        do {
            _ = try walk(hex("918101c3"))
            Issue.record("walk should fail")
        } catch {
            let typed: MessagePackError = error  // Compiles only because `walk` throws MessagePackError.
            #expect(typed.reason == "expected a number, found a boolean")
            #expect(typed.offset == 3)
        }
    }

    @Test("errors describe themselves as msgpack: <reason> at byte <offset>")
    func errorDescription() {
        let error = MessagePackError(offset: 7, reason: "0xc1 is never used")
        #expect(error.description == "msgpack: 0xc1 is never used at byte 7")
        #expect("\(error)" == "msgpack: 0xc1 is never used at byte 7")
    }
}
