import Foundation
import MessagePack
import Testing

/// One message of the Locust 2.47 capture that carries its msgpack bytes.
struct TranscriptMessage: Sendable, CustomTestStringConvertible {
    var direction: String
    var index: Int
    var type: String
    var length: Int
    var bytes: [UInt8]
    /// The capture's decoding of the frame, as JSON text (integer map keys shown as strings).
    var decodedJSON: String

    var testDescription: String { "\(direction) #\(index) \(type)" }
}

/// The capture, read from `../shared/fixtures/locust-2.47-wire/transcript.json` beside the repository.
enum LocustTranscript {
    /// The fixture's path, from this file's: `<repo>/Tests/MessagePackTests/` → `<repo>/../shared/...`
    /// (symbolic links resolved first, so a package that links these sources finds it too).
    static let path = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures/locust-2.47-wire/transcript.json").standardizedFileURL.path

    /// Every message with hex bytes, or an explanation of why the fixture could not be read.
    static let messages: Result<[TranscriptMessage], TranscriptError> = load()

    struct TranscriptError: Error, CustomStringConvertible {
        var description: String
    }

    private static func load() -> Result<[TranscriptMessage], TranscriptError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(TranscriptError(description: "the Locust 2.47 wire fixture is missing: no file at \(path)"))
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return .failure(TranscriptError(description: "\(path) is not a JSON object"))
        }
        var messages: [TranscriptMessage] = []
        for direction in root.keys.sorted() {
            guard let frames = (root[direction] as? [String: Any])?["frames (first two of each type)"] as? [[String: Any]] else {
                return .failure(TranscriptError(description: "\(path): \(direction) has no frames list"))
            }
            for (index, frame) in frames.enumerated() {
                guard let text = frame["msgpack_hex"] as? String else { continue }
                guard let type = frame["type"] as? String, let length = frame["length"] as? Int,
                      let decoded = frame["decoded"],
                      let json = try? JSONSerialization.data(withJSONObject: decoded, options: [.fragmentsAllowed])
                else {
                    return .failure(TranscriptError(description: "\(path): \(direction) frame \(index) lacks type, length or decoded"))
                }
                messages.append(TranscriptMessage(
                    direction: direction, index: index, type: type, length: length, bytes: hex(text),
                    decodedJSON: String(decoding: json, as: UTF8.self)))
            }
        }
        return .success(messages)
    }

    /// Where `value` differs from the capture's JSON `json` (numbers compared as doubles, integer keys
    /// as their decimal text, maps regardless of order), or nil when it does not.
    static func difference(_ value: MessagePackValue, _ json: Any, at path: String = "$") -> String? {
        switch value {
        case .nil: return json is NSNull ? nil : "\(path): nil vs \(json)"
        case .bool(let bool): return (json as? Bool) == bool ? nil : "\(path): \(bool) vs \(json)"
        case .int, .uint, .float, .double:
            // Within a few ulps: Linux Foundation's JSONSerialization does not round every decimal
            // correctly (the capture's 1796160288.3304822 reads as 1796160288.3304818), while the
            // msgpack float64 is exact (0x41dac3cec815269f, Python's repr of it is the JSON text).
            guard let number = json as? NSNumber, let double = value.doubleValue,
                  abs(double - number.doubleValue) <= 4 * double.ulp
            else {
                return "\(path): \(value) vs \(json)"
            }
            return nil
        case .string(let string): return (json as? String) == string ? nil : "\(path): \(string) vs \(json)"
        case .array(let elements):
            guard let array = json as? [Any], array.count == elements.count else { return "\(path): array vs \(json)" }
            for (index, element) in elements.enumerated() {
                if let difference = difference(element, array[index], at: "\(path)[\(index)]") { return difference }
            }
            return nil
        case .map(let pairs):
            guard let object = json as? [String: Any], object.count == pairs.count else { return "\(path): map vs \(json)" }
            for pair in pairs {
                let key: String? = switch pair.key {
                case .string(let string): string
                case .uint(let integer): String(integer)
                case .int(let integer): String(integer)
                default: nil
                }
                guard let key, let element = object[key] else { return "\(path): key \(pair.key) missing" }
                if let difference = difference(pair.value, element, at: "\(path).\(key)") { return difference }
            }
            return nil
        case .binary, .ext: return "\(path): \(value) has no JSON form"
        }
    }
}

struct LocustTranscriptTests {
    @Test("the capture is present and holds messages of both directions")
    func fixturePresent() throws {
        let messages = try LocustTranscript.messages.get()
        #expect(messages.count >= 10)
        #expect(Set(messages.map(\.direction)) == ["master->worker", "worker->master"])
        #expect(Set(messages.map(\.type)).isSuperset(of: ["client_ready", "heartbeat", "stats", "spawn", "ack", "quit"]))
    }

    @Test("every captured message decodes to [type, data, node_id] and re-encodes byte for byte")
    func roundTrip() throws {
        let messages = try LocustTranscript.messages.get()
        for message in messages {
            #expect(message.bytes.count == message.length, "\(message.testDescription): frame length")
            let value = try MessagePackValue.decode(message.bytes)
            let triple = try #require(value.arrayValue, "\(message.testDescription) is not an array")
            try #require(triple.count == 3, "\(message.testDescription) has \(triple.count) elements")
            #expect(triple[0].stringValue == message.type, "\(message.testDescription): type")
            #expect(triple[2].stringValue != nil, "\(message.testDescription): node_id is a string")
            let encoded = value.encoded()
            #expect(encoded == message.bytes, "\(message.testDescription): re-encoded \(hexString(encoded)) != captured \(hexString(message.bytes))")
            let json = try JSONSerialization.jsonObject(with: Data(message.decodedJSON.utf8), options: [.fragmentsAllowed])
            let difference = LocustTranscript.difference(value, json)
            #expect(difference == nil, "\(message.testDescription): decoding differs from the capture's")

            var reader = MessagePackReader(message.bytes)
            try reader.skipValue()
            #expect(reader.isAtEnd)
        }
    }

    @Test("a busy stats report: integer keys decode as .uint and stream back out")
    func statsReport() throws {
        let messages = try LocustTranscript.messages.get()
        let stats = try #require(messages.last { $0.type == "stats" }, "no stats message in the capture")
        let value = try MessagePackValue.decode(stats.bytes)
        let data = try #require(value.arrayValue?[1])
        let entries = try #require(data["stats"]?.arrayValue)
        #expect(entries.count == 2)
        let first = try #require(entries.first)
        #expect(first.mapValue?.map { $0.key.stringValue ?? "?" } == [
            "name", "method", "last_request_timestamp", "start_time", "num_requests", "num_none_requests",
            "num_failures", "total_response_time", "max_response_time", "min_response_time", "total_content_length",
            "response_times", "num_reqs_per_sec", "num_fail_per_sec",
        ])
        #expect(first["name"] == "/status500")
        #expect(first["num_requests"] == 18)
        #expect(first["response_times"] == [4: 1, 5: 1, 2: 14, 1: 2])
        #expect(first["num_reqs_per_sec"]?.mapValue?.first?.key == .uint(1_796_160_288))
        #expect(data["user_count"]?.intValue == 4)

        // A streaming walk sees the same numbers.
        var reader = MessagePackReader(stats.bytes)
        #expect(try reader.readArrayHeader() == 3)
        #expect(try reader.readString() == "stats")
        var requests = 0
        for _ in 0..<(try reader.readMapHeader()) {
            guard try reader.readString() == "stats" else {
                try reader.skipValue()
                continue
            }
            for _ in 0..<(try reader.readArrayHeader()) {
                for _ in 0..<(try reader.readMapHeader()) {
                    if try reader.readString() == "num_requests" { requests += try reader.readInt() } else { try reader.skipValue() }
                }
            }
        }
        #expect(requests == 18 + 35)
        #expect(try reader.readString() == "vm_7f945ca9c3b8421f8d9c42298c0b67c6")
        #expect(reader.isAtEnd)
    }
}
