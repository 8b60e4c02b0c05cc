import MessagePack
import Testing

/// A random value tree of at most `depth` levels, integers canonical (as decoding yields them).
func randomValue(_ random: inout SplitMix64, depth: Int) -> MessagePackValue {
    let choice = Int(random.next() % (depth > 0 ? 12 : 9))
    switch choice {
    case 0: return .nil
    case 1: return .bool(random.next() & 1 == 0)
    case 2:
        let magnitude = random.next() >> (random.next() % 64)
        return .uint(magnitude)
    case 3:
        let value = Int64(bitPattern: random.next() >> (random.next() % 64)) | Int64.min >> Int64(random.next() % 64)
        return value < 0 ? .int(value) : .uint(UInt64(value))
    case 4: return .float(Float(bitPattern: UInt32(truncatingIfNeeded: random.next())))
    case 5: return .double(Double(bitPattern: random.next()))
    case 6:
        let scalars = (0..<Int(random.next() % 40)).compactMap { _ in
            Unicode.Scalar(UInt32(random.next() % (random.next() & 1 == 0 ? 0x80 : 0x11_0000)))
        }
        return .string(String(String.UnicodeScalarView(scalars)))
    case 7: return .binary((0..<Int(random.next() % 300)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
    case 8:
        let sizes = [0, 1, 2, 3, 4, 8, 16, 17, 255, 256]
        let size = sizes[Int(random.next() % UInt64(sizes.count))]
        return .ext(type: Int8(truncatingIfNeeded: random.next()), data: [UInt8](repeating: 0xab, count: size))
    case 9, 10:
        let count = Int(random.next() % (random.next() % 8 == 0 ? 40 : 6))
        return .array((0..<count).map { _ in randomValue(&random, depth: depth - 1) })
    default:
        let count = Int(random.next() % (random.next() % 8 == 0 ? 40 : 6))
        return .map((0..<count).map { _ in
            .init(randomValue(&random, depth: depth - 1), randomValue(&random, depth: depth - 1))
        })
    }
}

/// Decodes `bytes` every way there is; returns whether `decode` succeeded. Must never trap.
@discardableResult
func decodeEveryWay(_ bytes: [UInt8]) -> Bool {
    let decoded = try? MessagePackValue.decode(bytes)
    var valueReader = MessagePackReader(bytes)
    var skipReader = MessagePackReader(bytes)
    let value = try? valueReader.readValue()
    let skipped = (try? skipReader.skipValue()) != nil
    // readValue and skipValue agree on validity and on where the value ends.
    #expect((value != nil) == skipped, "\(hexString(bytes))")
    #expect(valueReader.offset == skipReader.offset, "\(hexString(bytes))")
    #expect((decoded != nil) == (value != nil && valueReader.isAtEnd), "\(hexString(bytes))")
    if let decoded {
        // Whatever decodes re-encodes to something that decodes to the same bytes again.
        let encoded = decoded.encoded()
        #expect((try? MessagePackValue.decode(encoded))?.encoded() == encoded, "\(hexString(bytes))")
    }
    // Typed reads, one after another from wherever the previous one stopped.
    var reader = MessagePackReader(bytes)
    for step in 0..<24 {
        switch step % 10 {
        case 0: _ = try? reader.peekKind()
        case 1: _ = try? reader.readNil()
        case 2: _ = try? reader.readBool()
        case 3: _ = try? reader.readInt()
        case 4: _ = try? reader.readDouble()
        case 5: _ = try? reader.readString()
        case 6: _ = try? reader.readArrayHeader()
        case 7: _ = try? reader.readMapHeader()
        case 8: _ = try? reader.readValue()
        default: _ = try? reader.skipValue()
        }
        #expect(reader.offset >= 0 && reader.offset <= bytes.count)
    }
    return decoded != nil
}

struct FuzzTests {
    @Test("20,000 random byte strings of 0-64 bytes never trap")
    func randomBytes() {
        var random = SplitMix64(state: 0x4d50_4655_5a5a)
        var valid = 0
        for _ in 0..<20_000 {
            let length = Int(random.next() % 65)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if decodeEveryWay(bytes) { valid += 1 }
        }
        #expect(valid > 0)
    }

    @Test("every input of one or two bytes never traps")
    func exhaustiveShort() {
        decodeEveryWay([])
        for first in 0...255 {
            decodeEveryWay([UInt8(first)])
            for second in 0...255 {
                let bytes = [UInt8(first), UInt8(second)]
                _ = try? MessagePackValue.decode(bytes)
                var reader = MessagePackReader(bytes)
                _ = try? reader.skipValue()
            }
        }
    }

    @Test("valid messages with random bytes changed never trap")
    func mutations() throws {
        var random = SplitMix64(state: 0x6d75_7461_7465)
        let seeds = [everyFormatValue.encoded()] + ((try? LocustTranscript.messages.get()) ?? []).map(\.bytes)
        for seed in seeds {
            for _ in 0..<400 {
                var bytes = seed
                for _ in 0..<Int(1 + random.next() % 3) {
                    let index = Int(random.next() % UInt64(bytes.count))
                    bytes[index] = UInt8(truncatingIfNeeded: random.next())
                }
                if random.next() % 4 == 0 { bytes.removeLast(Int(random.next() % UInt64(bytes.count))) }
                decodeEveryWay(bytes)
            }
        }
    }

    @Test("2,000 random valid values round-trip")
    func randomValues() throws {
        var random = SplitMix64(state: 0x726f_756e_64)
        for _ in 0..<2_000 {
            let value = randomValue(&random, depth: 4)
            let encoded = value.encoded()
            let decoded = try MessagePackValue.decode(encoded)
            // Bytes, not `==`: a random float may be NaN, which is not equal to itself.
            #expect(decoded.encoded() == encoded)
            if !Self.containsNaN(value) { #expect(decoded == value) }
            var reader = MessagePackReader(encoded)
            try reader.skipValue()
            #expect(reader.isAtEnd)
        }
    }

    static func containsNaN(_ value: MessagePackValue) -> Bool {
        switch value {
        case .float(let float): float.isNaN
        case .double(let double): double.isNaN
        case .array(let elements): elements.contains(where: containsNaN)
        case .map(let pairs): pairs.contains { containsNaN($0.key) || containsNaN($0.value) }
        default: false
        }
    }
}
