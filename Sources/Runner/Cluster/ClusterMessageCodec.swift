import Foundation
import LocustStats
import MessagePack

/// Locust's frame encoding: `msgpack((type, data, node_id))`, byte for byte as Python's msgpack writes
/// it. The same type name means different data in each direction (`heartbeat`, `spawning_complete`),
/// so decoding is told which way the frame went.
public enum ClusterMessageCodec {
    /// Which way a frame travels.
    public enum Direction: Sendable {
        /// Worker → master.
        case toMaster
        /// Master → worker.
        case toWorker
    }

    /// The key under which SwiftLocust adds its own data to Locust's maps.
    static let extensionKey = "swiftlocust"

    // MARK: Encoding

    /// The frame of `message` from (worker) or to (master) `nodeID`.
    public static func encode(_ message: ClusterMessage, nodeID: String?) -> [UInt8] {
        var writer = MessagePackWriter(reservingCapacity: 128)
        writer.writeArrayHeader(3)
        writer.write(message.typeName)
        writeData(of: message, into: &writer)
        if let nodeID { writer.write(nodeID) } else { writer.writeNil() }
        return writer.bytes
    }

    private static func writeData(of message: ClusterMessage, into writer: inout MessagePackWriter) {
        switch message {
        case .clientReady(let version):
            writer.write(version)
        case .pluginRequest(let version):
            writer.writeMapHeader(1)
            writer.write("version")
            writer.write(version)
        case .plugin(let file):
            if let error = file.error {
                writer.writeMapHeader(1)
                writer.write("error")
                writer.write(error)
            } else {
                writer.writeMapHeader(2)
                writer.write("locustfiles")
                writer.writeArrayHeader(1)
                writer.writeMapHeader(2)
                writer.write("filename")
                writer.write(file.filename)
                writer.write("contents")
                writer.write(bytes: file.contents)
                writer.write(extensionKey)
                writer.writeMapHeader(1)
                writer.write("fingerprint")
                writer.write(file.fingerprint)
            }
        case .heartbeat(let heartbeat):
            writer.writeMapHeader(heartbeat.slave == nil ? 3 : 4)
            writer.write("state")
            writer.write(heartbeat.state)
            writer.write("current_cpu_usage")
            writer.write(heartbeat.cpuUsage.isFinite ? heartbeat.cpuUsage : 0)
            writer.write("current_memory_usage")
            writer.write(heartbeat.memoryUsage)
            if let slave = heartbeat.slave {
                writer.write(extensionKey)
                writer.writeMapHeader(6)
                writer.write("protocol")
                writer.write(slave.protocolVersion)
                writer.write("fingerprint")
                writer.write(slave.pluginFingerprint)
                writer.write("user_classes")
                writer.writeArrayHeader(slave.userClasses.count)
                for name in slave.userClasses { writer.write(name) }
                writer.write("hostname")
                writer.write(slave.hostname)
                writer.write("user_count")
                writer.write(slave.userCount)
                writer.write("lag_ms")
                writer.write(slave.lagMilliseconds)
            }
        case .stats(let report):
            writer.writeMapHeader((report.includesLocustPart ? 3 : 0) + 2 + (report.exact ? 1 : 0))
            if report.includesLocustPart { LocustStatsPayload.writePairs(of: report.snapshot, into: &writer) }
            writer.write("user_classes_count")
            writeCounts(report.userClassesCount, into: &writer)
            writer.write("user_count")
            writer.write(report.userCount)
            if report.exact {
                writer.write(extensionKey)
                writer.writeMapHeader(2)
                writer.write("test")
                if let test = report.test { writer.write(test) } else { writer.writeNil() }
                writer.write("snapshot")
                report.snapshot.writeExact(into: &writer)
            }
        case .spawningComplete(let counts, let userCount):
            writer.writeMapHeader(2)
            writer.write("user_classes_count")
            writeCounts(counts, into: &writer)
            writer.write("user_count")
            writer.write(userCount)
        case .exception(let message, let traceback):
            writer.writeMapHeader(2)
            writer.write("msg")
            writer.write(message)
            writer.write("traceback")
            writer.write(traceback)
        case .hookFailed(let message):
            writer.writeMapHeader(1)
            writer.write("msg")
            writer.write(message)
        case .logs(let workerID, let lines):
            writer.writeMapHeader(2)
            writer.write("worker_id")
            writer.write(workerID)
            writer.write("logs")
            writer.writeArrayHeader(lines.count)
            for line in lines { writer.write(line) }
        case .ack(let index, let exactReports):
            writer.writeMapHeader(exactReports ? 2 : 1)
            writer.write("index")
            writer.write(index)
            if exactReports {
                writer.write(extensionKey)
                writer.writeMapHeader(1)
                writer.write("exact_reports")
                writer.write(true)
            }
        case .spawn(let spawn):
            writer.writeMapHeader(spawn.order == nil ? 5 : 6)
            writer.write("timestamp")
            writer.write(spawn.timestamp)
            writer.write("user_classes_count")
            writeCounts(spawn.counts, into: &writer)
            writer.write("host")
            if let host = spawn.host { writer.write(host) } else { writer.writeNil() }
            writer.write("stop_timeout")
            writer.write(spawn.stopTimeout)
            // Locust's master sends its whole argument namespace; a worker takes `tags` and `exclude_tags`
            // from it whatever their value (None: not given).
            writer.write("parsed_options")
            writer.writeMapHeader(2 + spawn.options.count)
            writer.write("tags")
            writeStrings(spawn.tags, into: &writer)
            writer.write("exclude_tags")
            writeStrings(spawn.excludeTags, into: &writer)
            for (name, value) in spawn.options.sorted(by: { $0.key < $1.key }) {
                writer.write(name)
                writer.write(value)
            }
            if let order = spawn.order {
                writer.write(extensionKey)
                writer.writeMapHeader(order.arrival == nil ? 3 : 4)
                writer.write("test")
                writer.write(order.test)
                writer.write("rate")
                writer.write(order.rate)
                writer.write("equal_weights")
                writer.write(order.equalTaskWeights)
                if let arrival = order.arrival {
                    writer.write("arrival")
                    writer.writeMapHeader(4)
                    writer.write("start_rate")
                    writer.write(arrival.schedule.startRate)
                    writer.write("stages")
                    writer.writeArrayHeader(arrival.schedule.stages.count)
                    for stage in arrival.schedule.stages {
                        writer.writeArrayHeader(2)
                        writer.write(stage.seconds)
                        writer.write(stage.rate)
                    }
                    writer.write("max_concurrency")
                    writer.write(arrival.maxConcurrency)
                    writer.write("elapsed")
                    writer.write(arrival.elapsed)
                }
            }
        case .masterSpawningComplete(let userCount):
            writer.writeMapHeader(1)
            writer.write("user_count")
            writer.write(userCount)
        case .reject(let reason):
            writer.writeMapHeader(1)
            writer.write("reason")
            writer.write(reason)
        case .updateUserClass(let update):
            // The keys in the order Locust's web UI posts them (`User.json()`, then the class name).
            writer.writeMapHeader(2 + (update.weight == nil ? 0 : 1) + (update.fixedCount == nil ? 0 : 1) + (update.tasks == nil ? 0 : 1))
            writer.write("host")
            if let host = update.host { writer.write(host) } else { writer.writeNil() }
            if let weight = update.weight {
                writer.write("weight")
                writer.write(weight)
            }
            if let fixedCount = update.fixedCount {
                writer.write("fixed_count")
                writer.write(fixedCount)
            }
            if let tasks = update.tasks {
                writer.write("tasks")
                writer.writeArrayHeader(tasks.count)
                for task in tasks { writer.write(task) }
            }
            writer.write("user_class_name")
            writer.write(update.className)
        case .spawning, .clientStopped, .stop, .masterHeartbeat, .reconnect, .quit, .other:
            writer.writeNil()
        }
    }

    private static func writeCounts(_ counts: [String: Int], into writer: inout MessagePackWriter) {
        writer.writeMapHeader(counts.count)
        for (name, count) in counts.sorted(by: { $0.key < $1.key }) {
            writer.write(name)
            writer.write(count)
        }
    }

    // MARK: Decoding

    /// Decodes a frame that went `direction`; throws ``ClusterFrameError`` when it is not a Locust
    /// message (not a 3-array, wrong field types, a statistics report no honest peer sends).
    public static func decode(_ bytes: [UInt8], direction: Direction, now: Double = Date().timeIntervalSince1970) throws(ClusterFrameError) -> (message: ClusterMessage, nodeID: String?) {
        do {
            var reader = MessagePackReader(bytes)
            guard try reader.readArrayHeader() == 3 else { throw ClusterFrameError.malformed("not a (type, data, node_id) triple") }
            let type = try reader.readString()
            let message: ClusterMessage
            if type == "stats" && direction == .toMaster {
                message = .stats(try readStats(&reader, bytes: bytes, now: now))
            } else {
                message = try plainMessage(type: type, data: reader.readValue(), direction: direction)
            }
            let nodeID: String? = try reader.readNil() ? nil : reader.readString()
            guard reader.isAtEnd else { throw ClusterFrameError.malformed("\(bytes.count - reader.offset) bytes after the message") }
            return (message, nodeID)
        } catch let error as ClusterFrameError {
            throw error
        } catch let error as MessagePackError {
            throw ClusterFrameError.malformed(error.description)
        } catch {
            throw ClusterFrameError.malformed("\(error)")
        }
    }

    /// A `stats` data map: our exact snapshot when a SwiftLocust slave added it (Locust's part is then
    /// skipped), else the snapshot rebuilt from Locust's payload.
    private static func readStats(_ reader: inout MessagePackReader, bytes: [UInt8], now: Double) throws -> ClusterMessage.StatsReport {
        let start = reader.offset
        var userCount = 0
        var classes: [String: Int] = [:]
        var exact: (test: String?, snapshot: StatsSnapshot)?
        var sawLocustPart = false
        let pairs = try reader.readMapHeader()
        for _ in 0..<pairs {
            let key = try reader.readString()
            switch key {
            case "user_count":
                userCount = max(0, try reader.readInt())
            case "user_classes_count":
                classes = try counts(reader.readValue())
            case "stats", "stats_total", "errors":
                sawLocustPart = true
                try reader.skipValue()
            case extensionKey:
                var test: String?
                var snapshot: StatsSnapshot?
                for _ in 0..<(try reader.readMapHeader()) {
                    switch try reader.readString() {
                    case "test": test = try reader.readNil() ? nil : reader.readString()
                    case "snapshot": snapshot = try StatsSnapshot(exactFrom: &reader)
                    default: try reader.skipValue()
                    }
                }
                guard let snapshot else { throw ClusterFrameError.malformed("a SwiftLocust report without its snapshot") }
                exact = (test, snapshot)
            default:
                try reader.skipValue()
            }
        }
        if let exact {
            return .init(
                snapshot: exact.snapshot, userCount: userCount, userClassesCount: classes, test: exact.test, exact: true,
                includesLocustPart: sawLocustPart)
        }
        // A Python worker: read Locust's part again, as a value.
        var again = MessagePackReader(bytes)
        again.offset = start
        let data = try again.readValue()
        let snapshot = try LocustStatsPayload.snapshot(from: data, takenAt: now)
        return .init(snapshot: snapshot, userCount: userCount, userClassesCount: classes, test: nil, exact: false)
    }

    private static func plainMessage(type: String, data: MessagePackValue, direction: Direction) throws -> ClusterMessage {
        func string(_ key: String) throws -> String {
            guard let value = data[key]?.stringValue else { throw ClusterFrameError.malformed("'\(type)' without a '\(key)' string") }
            return value
        }
        func int(_ key: String) throws -> Int {
            guard let value = data[key]?.intValue else { throw ClusterFrameError.malformed("'\(type)' without a '\(key)' number") }
            return value
        }
        switch (type, direction) {
        case ("client_ready", .toMaster):
            // Locust sends its version string; boomer sends -1.
            if let version = data.stringValue { return .clientReady(version: version) }
            if let number = data.intValue { return .clientReady(version: String(number)) }
            return .clientReady(version: "")
        case ("heartbeat", .toMaster):
            var slave: ClusterMessage.SlaveInfo?
            if let info = data[extensionKey] {
                guard let version = info["protocol"]?.intValue, let fingerprint = info["fingerprint"]?.stringValue,
                    let names = info["user_classes"]?.arrayValue?.compactMap(\.stringValue)
                else { throw ClusterFrameError.malformed("a SwiftLocust heartbeat without protocol, fingerprint and classes") }
                slave = .init(
                    protocolVersion: version, pluginFingerprint: fingerprint, userClasses: names,
                    hostname: info["hostname"]?.stringValue ?? "", userCount: max(0, info["user_count"]?.intValue ?? 0),
                    lagMilliseconds: max(0, info["lag_ms"]?.intValue ?? 0))
            }
            return .heartbeat(.init(
                state: try string("state"), cpuUsage: data["current_cpu_usage"]?.doubleValue ?? 0,
                memoryUsage: data["current_memory_usage"]?.intValue ?? 0, slave: slave))
        case ("heartbeat", .toWorker):
            return .masterHeartbeat
        case ("spawning", .toMaster):
            return .spawning
        case ("spawning_complete", .toMaster):
            return .spawningComplete(counts: try counts(data["user_classes_count"] ?? [:]), userCount: try int("user_count"))
        case ("spawning_complete", .toWorker):
            return .masterSpawningComplete(userCount: data["user_count"]?.intValue ?? 0)
        case ("client_stopped", .toMaster):
            return .clientStopped
        case ("exception", .toMaster):
            return .exception(message: try string("msg"), traceback: data["traceback"]?.stringValue ?? "")
        case ("swiftlocust_hook_failed", .toMaster):
            return .hookFailed(message: try string("msg"))
        case ("logs", .toMaster):
            guard let lines = data["logs"]?.arrayValue else { throw ClusterFrameError.malformed("'logs' without a list") }
            return .logs(workerID: data["worker_id"]?.stringValue ?? "", lines: lines.compactMap(\.stringValue))
        case ("ack", .toWorker):
            return .ack(index: data["index"]?.intValue ?? -1, exactReports: data[extensionKey]?["exact_reports"]?.boolValue ?? false)
        case ("spawn", .toWorker):
            guard let timestamp = data["timestamp"]?.doubleValue else { throw ClusterFrameError.malformed("'spawn' without a timestamp") }
            var order: ClusterMessage.SpawnOrder?
            if let info = data[extensionKey] {
                guard let test = info["test"]?.stringValue, let rate = info["rate"]?.doubleValue else {
                    throw ClusterFrameError.malformed("a SwiftLocust order without test and rate")
                }
                order = .init(
                    test: test, rate: rate, equalTaskWeights: info["equal_weights"]?.boolValue ?? false,
                    arrival: try info["arrival"].map(Self.arrivalOrder))
            }
            let options = data["parsed_options"]
            return .spawn(.init(
                timestamp: timestamp, counts: try counts(data["user_classes_count"] ?? [:]), host: data["host"]?.stringValue,
                stopTimeout: data["stop_timeout"]?.doubleValue ?? 0, order: order,
                tags: try strings(options?["tags"], name: "tags"), excludeTags: try strings(options?["exclude_tags"], name: "exclude_tags"),
                options: otherOptions(options)))
        case ("stop", .toWorker):
            return .stop
        case ("reconnect", .toWorker):
            return .reconnect
        case ("swiftlocust_reject", .toWorker):
            return .reject(reason: data["reason"]?.stringValue ?? "refused")
        case ("update_user_class", .toWorker):
            guard let pairs = data.mapValue else { throw ClusterFrameError.malformed("'update_user_class' data is not a map") }
            func number(_ value: MessagePackValue?) -> Int? {
                value?.intValue ?? value?.doubleValue.flatMap { $0.isFinite && abs($0) < 1e15 ? Int($0) : nil }
            }
            let known: Set<String> = ["user_class_name", "host", "weight", "fixed_count", "tasks"]
            return .updateUserClass(.init(
                className: try string("user_class_name"), host: data["host"]?.stringValue, weight: number(data["weight"]),
                fixedCount: number(data["fixed_count"]), tasks: data["tasks"]?.arrayValue?.compactMap(\.stringValue),
                otherKeys: pairs.compactMap(\.key.stringValue).filter { !known.contains($0) }.sorted()))
        case ("locustfile", .toMaster):
            return .pluginRequest(version: data["version"]?.stringValue ?? "")
        case ("locustfile", .toWorker):
            if let error = data["error"]?.stringValue { return .plugin(.init(filename: "", contents: [], fingerprint: "", error: error)) }
            guard let file = data["locustfiles"]?.arrayValue?.first, let name = file["filename"]?.stringValue,
                let fingerprint = data[extensionKey]?["fingerprint"]?.stringValue
            else { throw ClusterFrameError.malformed("'locustfile' without a SwiftLocust plugin") }
            let contents: [UInt8]
            switch file["contents"] {
            case .binary(let bytes)?: contents = bytes
            case .string(let text)?: contents = Array(text.utf8)
            default: throw ClusterFrameError.malformed("'locustfile' without contents")
            }
            return .plugin(.init(filename: name, contents: contents, fingerprint: fingerprint))
        case ("quit", _):
            return .quit
        default:
            return .other(type: type)
        }
    }

    /// `parsed_options` but its tags: string keys only (the first of a repeated key).
    private static func otherOptions(_ value: MessagePackValue?) -> [String: MessagePackValue] {
        var result: [String: MessagePackValue] = [:]
        for pair in value?.mapValue ?? [] {
            guard let key = pair.key.stringValue, key != "tags", key != "exclude_tags", result[key] == nil else { continue }
            result[key] = pair.value
        }
        return result
    }

    /// A list of strings in `parsed_options`, or nil for None or a missing key.
    /// `swiftlocust.arrival` of a spawn order: rates at or above 0, stages of a span above 0, a bound of 1 or more.
    private static func arrivalOrder(_ value: MessagePackValue) throws -> ClusterMessage.ArrivalOrder {
        guard let startRate = value["start_rate"]?.doubleValue, startRate.isFinite, startRate >= 0,
            let bound = value["max_concurrency"]?.intValue, bound >= 1,
            let elapsed = value["elapsed"]?.doubleValue, elapsed.isFinite, elapsed >= 0,
            let stageValues = value["stages"]?.arrayValue
        else { throw ClusterFrameError.malformed("an arrival order without start_rate, stages, max_concurrency and elapsed") }
        var stages: [ArrivalSchedule.Stage] = []
        for stage in stageValues {
            guard let pair = stage.arrayValue, pair.count == 2, let seconds = pair[0].doubleValue, let rate = pair[1].doubleValue,
                seconds.isFinite, seconds > 0, rate.isFinite, rate >= 0
            else { throw ClusterFrameError.malformed("an arrival stage is not [seconds > 0, rate >= 0]") }
            stages.append(.init(seconds: seconds, rate: rate))
        }
        return .init(schedule: ArrivalSchedule(startRate: startRate, stages: stages), maxConcurrency: bound, elapsed: elapsed)
    }

    private static func strings(_ value: MessagePackValue?, name: String) throws -> [String]? {
        guard let value, !value.isNil else { return nil }
        guard let items = value.arrayValue else { throw ClusterFrameError.malformed("parsed_options.\(name) is not a list") }
        return try items.map { item in
            guard let text = item.stringValue else { throw ClusterFrameError.malformed("parsed_options.\(name) holds a non-string") }
            return text
        }
    }

    private static func writeStrings(_ values: [String]?, into writer: inout MessagePackWriter) {
        guard let values else { return writer.writeNil() }
        writer.writeArrayHeader(values.count)
        for value in values { writer.write(value) }
    }

    private static func counts(_ value: MessagePackValue) throws -> [String: Int] {
        guard let pairs = value.mapValue else { throw ClusterFrameError.malformed("user counts are not a map") }
        var result: [String: Int] = [:]
        for pair in pairs {
            guard let name = pair.key.stringValue, let count = pair.value.intValue, count >= 0 else {
                throw ClusterFrameError.malformed("user counts must map class names to counts")
            }
            result[name] = count
        }
        return result
    }
}
