import MessagePack
import Testing

/// One value and its exact encoding.
struct FormatVector: Sendable, CustomTestStringConvertible {
    var name: String
    var value: MessagePackValue
    var bytes: [UInt8]

    init(_ name: String, _ value: MessagePackValue, _ header: String, payload: [UInt8] = []) {
        self.name = name
        self.value = value
        self.bytes = hex(header) + payload
    }

    var testDescription: String { name }
}

/// `count` bytes of ASCII `x`.
private func text(_ count: Int) -> String { String(repeating: "x", count: count) }

/// `count` zero bytes.
private func zeros(_ count: Int) -> [UInt8] { [UInt8](repeating: 0, count: count) }

/// An array of `count` zeros (each encodes as `0x00`).
private func zeroArray(_ count: Int) -> MessagePackValue { .array(Array(repeating: .uint(0), count: count)) }

/// A map of `count` pairs `i: nil` for i in 0..<count (keys < 128 are one byte each).
private func intMap(_ count: Int) -> (MessagePackValue, [UInt8]) {
    var payload: [UInt8] = []
    var writer = MessagePackWriter()
    for index in 0..<count {
        writer.write(index)
        writer.writeNil()
    }
    payload = writer.bytes
    return (.map((0..<count).map { MessagePackValue.Pair(.uint(UInt64($0)), .nil) }), payload)
}

/// Every format at its boundaries, and the msgpack.org examples.
let formatVectors: [FormatVector] = {
    var vectors: [FormatVector] = [
        .init("nil", .nil, "c0"),
        .init("false", .bool(false), "c2"),
        .init("true", .bool(true), "c3"),
        // Positive fixint and uint8...uint64.
        .init("0", .uint(0), "00"),
        .init("1", .uint(1), "01"),
        .init("0x7f, last positive fixint", .uint(0x7f), "7f"),
        .init("0x80, first uint8", .uint(0x80), "cc80"),
        .init("0xff, last uint8", .uint(0xff), "ccff"),
        .init("0x100, first uint16", .uint(0x100), "cd0100"),
        .init("0xffff, last uint16", .uint(0xffff), "cdffff"),
        .init("0x10000, first uint32", .uint(0x10000), "ce00010000"),
        .init("0xffffffff, last uint32", .uint(0xffff_ffff), "ceffffffff"),
        .init("0x100000000, first uint64", .uint(0x1_0000_0000), "cf0000000100000000"),
        .init("UInt64.max", .uint(.max), "cfffffffffffffffff"),
        .init("epoch second as Locust sends it", .uint(1_796_160_288), "ce6b0f3b20"),
        // Negative fixint and int8...int64.
        .init("-1", .int(-1), "ff"),
        .init("-32, last negative fixint", .int(-32), "e0"),
        .init("-33, first int8", .int(-33), "d0df"),
        .init("-128, last int8", .int(-128), "d080"),
        .init("-129, first int16", .int(-129), "d1ff7f"),
        .init("-32768, last int16", .int(-32768), "d18000"),
        .init("-32769, first int32", .int(-32769), "d2ffff7fff"),
        .init("Int32.min, last int32", .int(Int64(Int32.min)), "d280000000"),
        .init("Int32.min - 1, first int64", .int(Int64(Int32.min) - 1), "d3ffffffff7fffffff"),
        .init("Int64.min", .int(.min), "d38000000000000000"),
        // Floats.
        .init("float32 1.5", .float(1.5), "ca3fc00000"),
        .init("float32 -0.0", .float(-0.0), "ca80000000"),
        .init("float32 infinity", .float(.infinity), "ca7f800000"),
        .init("float64 1.5", .double(1.5), "cb3ff8000000000000"),
        .init("float64 0.0", .double(0), "cb0000000000000000"),
        .init("float64 -2.5", .double(-2.5), "cbc004000000000000"),
        .init("float64 Locust start_time", .double(1_796_160_288.3304822), "cb41dac3cec815269f"),
        .init("float64 infinity", .double(-.infinity), "cbfff0000000000000"),
        // Strings.
        .init("empty fixstr", .string(""), "a0"),
        .init("fixstr a", .string("a"), "a161"),
        .init("fixstr UTF-8 é", .string("é"), "a2c3a9"),
        .init("fixstr emoji", .string("🦗"), "a4f09fa697"),
        .init("fixstr 31 bytes", .string(text(31)), "bf", payload: Array(text(31).utf8)),
        .init("str8 32 bytes", .string(text(32)), "d920", payload: Array(text(32).utf8)),
        .init("str8 255 bytes", .string(text(255)), "d9ff", payload: Array(text(255).utf8)),
        .init("str16 256 bytes", .string(text(256)), "da0100", payload: Array(text(256).utf8)),
        .init("str16 65535 bytes", .string(text(65535)), "daffff", payload: Array(text(65535).utf8)),
        .init("str32 65536 bytes", .string(text(65536)), "db00010000", payload: Array(text(65536).utf8)),
        // Binaries.
        .init("empty bin8", .binary([]), "c400"),
        .init("bin8 3 bytes", .binary([1, 2, 3]), "c403010203"),
        .init("bin8 255 bytes", .binary(zeros(255)), "c4ff", payload: zeros(255)),
        .init("bin16 256 bytes", .binary(zeros(256)), "c50100", payload: zeros(256)),
        .init("bin16 65535 bytes", .binary(zeros(65535)), "c5ffff", payload: zeros(65535)),
        .init("bin32 65536 bytes", .binary(zeros(65536)), "c600010000", payload: zeros(65536)),
        // Arrays.
        .init("empty fixarray", .array([]), "90"),
        .init("fixarray [1, 2, 3]", [1, 2, 3], "93010203"),
        .init("fixarray 15", zeroArray(15), "9f", payload: zeros(15)),
        .init("array16 16", zeroArray(16), "dc0010", payload: zeros(16)),
        .init("array16 65535", zeroArray(65535), "dcffff", payload: zeros(65535)),
        .init("array32 65536", zeroArray(65536), "dd00010000", payload: zeros(65536)),
        // Maps.
        .init("empty fixmap", .map([]), "80"),
        .init("msgpack.org example", ["compact": true, "schema": 0], "82a7636f6d70616374c3a6736368656d6100"),
        .init("map with int keys", [4: 1, 5: 1, 2: 14, 1: 2], "8404010501020e0102"),
        .init("map with duplicate keys", .map([.init("a", 1), .init("a", 2)]), "82a16101a16102"),
        // Exts.
        .init("fixext1", .ext(type: 1, data: [0xaa]), "d401aa"),
        .init("fixext2", .ext(type: 2, data: [1, 2]), "d5020102"),
        .init("fixext4 timestamp32", .ext(type: -1, data: [0, 0, 0, 1]), "d6ff00000001"),
        .init("fixext8", .ext(type: 8, data: zeros(8)), "d708", payload: zeros(8)),
        .init("fixext16", .ext(type: 16, data: zeros(16)), "d810", payload: zeros(16)),
        .init("ext8 empty", .ext(type: 5, data: []), "c70005"),
        .init("ext8 3 bytes", .ext(type: 5, data: [1, 2, 3]), "c70305010203"),
        .init("ext8 255 bytes", .ext(type: 7, data: zeros(255)), "c7ff07", payload: zeros(255)),
        .init("ext16 256 bytes", .ext(type: 7, data: zeros(256)), "c8010007", payload: zeros(256)),
        .init("ext32 65536 bytes", .ext(type: -128, data: zeros(65536)), "c90001000080", payload: zeros(65536)),
        // Nesting.
        .init("Locust heartbeat", [
            "heartbeat", ["state": "ready", "current_cpu_usage": 0.0, "current_memory_usage": 0], "w",
        ], "93a968656172746265617483a57374617465a57265616479b163757272656e745f6370755f7573616765cb0000000000000000b463757272656e745f6d656d6f72795f757361676500a177"),
    ]
    for count in [15, 16, 65535, 65536] {
        let (value, payload) = intMap(count)
        let header = count == 15 ? "8f" : count == 16 ? "de0010" : count == 65535 ? "deffff" : "df00010000"
        vectors.append(.init("map of \(count) int keys", value, header, payload: payload))
    }
    return vectors
}()

struct FormatTests {
    @Test("encodes byte-exact and decodes back", arguments: formatVectors)
    func roundTrip(_ vector: FormatVector) throws {
        let encoded = vector.value.encoded()
        #expect(encoded == vector.bytes, "\(hexString(Array(encoded.prefix(24)))) != \(hexString(Array(vector.bytes.prefix(24))))")
        let decoded = try MessagePackValue.decode(vector.bytes)
        #expect(decoded == vector.value)
        var reader = MessagePackReader(vector.bytes)
        try reader.skipValue()
        #expect(reader.isAtEnd)
    }

    @Test("the typed writes match the value writes")
    func typedWrites() {
        func bytes(_ body: (inout MessagePackWriter) -> Void) -> [UInt8] {
            var writer = MessagePackWriter(reservingCapacity: 0)
            body(&writer)
            return writer.bytes
        }
        let integers: [Int] = [0, 1, 127, 128, 255, 256, 65535, 65536, -1, -32, -33, -128, -129, -32768, -32769, .min, .max]
        for value in integers {
            #expect(bytes { $0.write(value) } == MessagePackValue.int(Int64(value)).encoded(), "\(value)")
            if value >= 0 {
                #expect(bytes { $0.write(UInt64(value)) } == MessagePackValue.uint(UInt64(value)).encoded())
            }
        }
        #expect(bytes { $0.write(UInt64.max) } == hex("cfffffffffffffffff"))
        #expect(bytes { $0.write(Int.min) } == hex("d38000000000000000"))
        #expect(bytes { $0.write(0.0) } == hex("cb0000000000000000"))
        #expect(bytes { $0.write(1.5) } == hex("cb3ff8000000000000"))
        #expect(bytes { $0.write(true); $0.write(false); $0.writeNil() } == hex("c3c2c0"))
        #expect(bytes { $0.write("hi") } == hex("a26869"))
        #expect(bytes { $0.write(bytes: [9]) } == hex("c40109"))
        #expect(bytes { $0.writeArrayHeader(3) } == hex("93"))
        #expect(bytes { $0.writeArrayHeader(16) } == hex("dc0010"))
        #expect(bytes { $0.writeArrayHeader(70000) } == hex("dd00011170"))
        #expect(bytes { $0.writeMapHeader(2) } == hex("82"))
        #expect(bytes { $0.writeMapHeader(0x10000) } == hex("df00010000"))
        let message = bytes {
            $0.writeArrayHeader(3)
            $0.write("ack")
            $0.write(["index": 0] as MessagePackValue)
            $0.write("vm_1")
        }
        #expect(message == (["ack", ["index": 0], "vm_1"] as MessagePackValue).encoded())
    }

    @Test("integers decode canonically: >= 0 as .uint in every format, < 0 as .int")
    func canonicalIntegers() throws {
        let cases: [(String, MessagePackValue)] = [
            ("05", .uint(5)), ("cc05", .uint(5)), ("cd0005", .uint(5)), ("ce00000005", .uint(5)),
            ("cf0000000000000005", .uint(5)), ("d005", .uint(5)), ("d10005", .uint(5)), ("d200000005", .uint(5)),
            ("d30000000000000005", .uint(5)), ("d07f", .uint(127)), ("d37fffffffffffffff", .uint(UInt64(Int64.max))),
            ("d0ff", .int(-1)), ("d1ffff", .int(-1)), ("d2ffffffff", .int(-1)), ("d3ffffffffffffffff", .int(-1)),
            ("d000", .uint(0)), ("ff", .int(-1)),
        ]
        for (text, expected) in cases {
            #expect(try MessagePackValue.decode(hex(text)) == expected, "\(text)")
        }
        // Equality does not conflate the cases, but encoding does.
        #expect(MessagePackValue.int(5) != MessagePackValue.uint(5))
        #expect(MessagePackValue.int(5).encoded() == [0x05])
        #expect(MessagePackValue.uint(5).encoded() == [0x05])
        #expect(MessagePackValue.int(200).encoded() == hex("ccc8"))
    }

    @Test("non-smallest str, bin, array and map headers decode too")
    func longHeaders() throws {
        #expect(try MessagePackValue.decode(hex("d90161")) == "a")
        #expect(try MessagePackValue.decode(hex("da000161")) == "a")
        #expect(try MessagePackValue.decode(hex("db0000000161")) == "a")
        #expect(try MessagePackValue.decode(hex("c6000000020102")) == .binary([1, 2]))
        #expect(try MessagePackValue.decode(hex("dc000101")) == [1])
        #expect(try MessagePackValue.decode(hex("dd0000000101")) == [1])
        #expect(try MessagePackValue.decode(hex("de00010102")) == [1: 2])
        #expect(try MessagePackValue.decode(hex("df0000000101c0")) == [1: nil])
        #expect(try MessagePackValue.decode(hex("c800020a0102")) == .ext(type: 10, data: [1, 2]))
        #expect(try MessagePackValue.decode(hex("c900000001f6ff")) == .ext(type: -10, data: [0xff]))
    }
}
