import Foundation

/// The bytes a real Locust 2.47 master and worker exchanged (`shared/fixtures/locust-2.47-wire`).
struct ZMQWireFixture {
    /// One side's captured bytes.
    struct Side {
        /// The 64-byte greeting.
        var greeting: [UInt8]
        /// The READY command's body (without its flags and length).
        var ready: [UInt8]
        /// The first messages: type, ZMTP flags, msgpack bytes.
        var messages: [(type: String, flags: UInt8, msgpack: [UInt8])]

        /// The first captured message of `type` that has its bytes.
        func message(_ type: String) -> (type: String, flags: UInt8, msgpack: [UInt8])? {
            messages.first { $0.type == type && !$0.msgpack.isEmpty }
        }
    }

    /// The fixture is not there, or not as expected.
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// What the worker sent.
    var worker: Side
    /// What the master sent.
    var master: Side

    /// Loads `transcript.json`, four levels up from this file (Tests/ClusterTests/ZMQ/ -> the
    /// folder that holds the repository and `shared/`), whichever test calls it.
    static func load() throws -> ZMQWireFixture {
        let thisFile: String = #filePath
        var url = URL(fileURLWithPath: thisFile).deletingLastPathComponent()
        for _ in 0..<4 { url.deleteLastPathComponent() }
        url.appendPathComponent("shared/fixtures/locust-2.47-wire/transcript.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Missing(description: "the Locust wire fixture is missing: expected \(url.path)")
        }
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let worker = side(root["worker->master"]), let master = side(root["master->worker"])
        else {
            throw Missing(description: "\(url.path) does not have the expected layout")
        }
        return ZMQWireFixture(worker: worker, master: master)
    }

    private static func side(_ value: Any?) -> Side? {
        guard let side = value as? [String: Any], let greeting = side["greeting_hex"] as? String,
            let frames = side["frames (first two of each type)"] as? [[String: Any]]
        else { return nil }
        var ready: [UInt8]?
        var messages: [(type: String, flags: UInt8, msgpack: [UInt8])] = []
        for frame in frames {
            if let kind = frame["kind"] as? String, kind.contains("READY"), let hex = frame["hex"] as? String {
                ready = ZMQTestFrames.bytes(hex: hex)
            } else if let type = frame["type"] as? String {
                let flags = (frame["zmtp_flags"] as? Int).map { UInt8($0) } ?? 0
                messages.append((type, flags, ZMQTestFrames.bytes(hex: frame["msgpack_hex"] as? String ?? "")))
            }
        }
        guard let ready else { return nil }
        return Side(greeting: ZMQTestFrames.bytes(hex: greeting), ready: ready, messages: messages)
    }
}
