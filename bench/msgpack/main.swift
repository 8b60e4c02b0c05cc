// The cost of one Locust `stats` report (50 request names) through this repository's MessagePack
// codec, against Foundation JSON (today's coordinator protocol) and, through run.sh, msgpack-c.
//
//   mpbench report DIR   write DIR/report.msgpack and DIR/report.json (the same report)
//   mpbench run DIR      measure, and print the table (with DIR/c-results.tsv, msgpack-c's figures,
//                        when run.sh wrote it)
//
// Built by run.sh with swiftc straight from Sources/MessagePack (no package): either in one module
// with this file, or against MessagePack compiled as its own module (as the runner will use it).
#if canImport(MessagePack)
import MessagePack
#endif
import Foundation

// MARK: The report

/// SplitMix64, so that every run measures the same report.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func hex(_ digits: Int) -> String {
        String((0..<digits).map { _ in "0123456789abcdef".randomElement(using: &self)! })
    }
}
extension SplitMix64: RandomNumberGenerator {}

/// One `StatsEntry.serialize()` dict, keys in Locust 2.47's order; integer-keyed maps as ordered pairs
/// (the order Locust's dicts saw them).
struct Entry: Codable {
    var name: String
    var method: String
    var last_request_timestamp: Double?
    var start_time: Double
    var num_requests: Int
    var num_none_requests: Int
    var num_failures: Int
    var total_response_time: Double
    var max_response_time: Double
    var min_response_time: Double?
    var total_content_length: Int
    var response_times: [Int: Int]
    var num_reqs_per_sec: [Int: Int]
    var num_fail_per_sec: [Int: Int]
}

/// One `StatsError.serialize()` dict.
struct ErrorEntry: Codable {
    var name: String
    var method: String
    var error: String
    var occurrences: Int
    var first_seen: Double
    var last_seen: Double
}

/// The `data` of a worker's `stats` message.
struct Report: Codable {
    var stats: [Entry]
    var stats_total: Entry
    var errors: [String: ErrorEntry]
    var user_classes_count: [String: Int]
    var user_count: Int
}

/// Today's JSON frame shape: the type, the data, the sender.
struct Envelope: Codable {
    var type: String
    var data: Report
    var node_id: String
}

/// The report in both shapes: ordered MessagePack (as Locust writes it) and Codable structs (for JSON).
struct Fixture {
    var value: MessagePackValue
    var envelope: Envelope
}

/// 50 busy request names over a 3 s report: ~40 response-time buckets and 3 per-second counts each.
func makeFixture() -> Fixture {
    var random = SplitMix64(state: 0x2_47)
    let t0 = 1_796_160_288.0
    let buckets = Array(1..<100) + Array(stride(from: 100, to: 1_000, by: 10)) + Array(stride(from: 1_000, to: 10_000, by: 100))
    let resources = ["items", "cart", "checkout", "users", "search", "orders", "catalog", "reviews", "auth", "inventory"]

    func pairs(_ list: [(Int, Int)]) -> MessagePackValue {
        .map(list.map { MessagePackValue.Pair(.uint(UInt64($0.0)), .uint(UInt64($0.1))) })
    }
    func entryValue(_ entry: Entry, _ times: [(Int, Int)], _ reqs: [(Int, Int)], _ fails: [(Int, Int)]) -> MessagePackValue {
        [
            "name": .string(entry.name), "method": .string(entry.method),
            "last_request_timestamp": entry.last_request_timestamp.map(MessagePackValue.double) ?? .nil,
            "start_time": .double(entry.start_time), "num_requests": .uint(UInt64(entry.num_requests)),
            "num_none_requests": .uint(UInt64(entry.num_none_requests)), "num_failures": .uint(UInt64(entry.num_failures)),
            "total_response_time": .double(entry.total_response_time), "max_response_time": .double(entry.max_response_time),
            "min_response_time": entry.min_response_time.map(MessagePackValue.double) ?? .nil,
            "total_content_length": .uint(UInt64(entry.total_content_length)),
            "response_times": pairs(times), "num_reqs_per_sec": pairs(reqs), "num_fail_per_sec": pairs(fails),
        ]
    }

    var entries: [Entry] = []
    var entryValues: [MessagePackValue] = []
    var errors: [(String, ErrorEntry)] = []
    var totalTimes: [(Int, Int)] = []
    var totalTimeIndex: [Int: Int] = [:]
    var totalReqs = [(Int(t0), 0), (Int(t0) + 1, 0), (Int(t0) + 2, 0)]
    var totalFails = totalReqs
    for index in 0..<50 {
        let name = "/api/v1/\(resources[index % resources.count])/\(index / resources.count)/[id]"
        let method = index % 5 == 0 ? "POST" : "GET"
        let requests = 600 + random.below(3_000)
        let failures = index % 3 == 0 ? 1 + random.below(requests / 20) : 0
        // 40 distinct buckets around a median, in first-seen order.
        let first = random.below(60)
        var times: [(Int, Int)] = (0..<40).map { (buckets[first + $0 * (1 + $0 / 20)], 0) }
        times.shuffle(using: &random)
        for _ in 0..<requests { times[min(random.below(40), random.below(40))].1 += 1 }
        times = times.map { ($0.0, max($0.1, 1)) }
        let counted = times.reduce(0) { $0 + $1.1 }
        let reqShares = [counted / 3, counted / 3, counted - 2 * (counted / 3)]
        let reqs = reqShares.enumerated().map { (Int(t0) + $0.offset, $0.element) }
        let fails = failures == 0 ? [] : [failures / 3, failures / 3, failures - 2 * (failures / 3)].enumerated().map {
            (Int(t0) + $0.offset, $0.element)
        }
        let totalTime = times.reduce(0.0) { $0 + Double($1.0 * $1.1) } * (1 + random.unit() * 0.01)
        let entry = Entry(
            name: name, method: method, last_request_timestamp: t0 + 2.9 + random.unit() * 0.1,
            start_time: t0 + random.unit() * 0.01, num_requests: counted, num_none_requests: 0, num_failures: failures,
            total_response_time: totalTime,
            max_response_time: Double(times.map(\.0).max() ?? 0) + random.unit(),
            min_response_time: Double(times.map(\.0).min() ?? 0) * (0.9 + random.unit() * 0.1),
            total_content_length: counted * (200 + random.below(4_000)),
            response_times: Dictionary(uniqueKeysWithValues: times), num_reqs_per_sec: Dictionary(uniqueKeysWithValues: reqs),
            num_fail_per_sec: Dictionary(uniqueKeysWithValues: fails))
        entries.append(entry)
        entryValues.append(entryValue(entry, times, reqs, fails))
        for (bucket, count) in times {
            if let at = totalTimeIndex[bucket] { totalTimes[at].1 += count } else {
                totalTimeIndex[bucket] = totalTimes.count
                totalTimes.append((bucket, count))
            }
        }
        for at in 0..<3 { totalReqs[at].1 += reqs[at].1 }
        for (at, fail) in fails.enumerated() { totalFails[at].1 += fail.1 }
        if failures > 0 {
            errors.append((random.hex(64), ErrorEntry(
                name: name, method: method,
                error: "HTTPError('500 Server Error: Internal Server Error for url: \(name)')",
                occurrences: failures, first_seen: t0 + random.unit(), last_seen: t0 + 2 + random.unit())))
        }
    }
    let total = Entry(
        name: "Aggregated", method: "", last_request_timestamp: entries.compactMap(\.last_request_timestamp).max(),
        start_time: entries.map(\.start_time).min() ?? t0, num_requests: entries.reduce(0) { $0 + $1.num_requests },
        num_none_requests: 0, num_failures: entries.reduce(0) { $0 + $1.num_failures },
        total_response_time: entries.reduce(0.0) { $0 + $1.total_response_time },
        max_response_time: entries.map(\.max_response_time).max() ?? 0,
        min_response_time: entries.compactMap(\.min_response_time).min(),
        total_content_length: entries.reduce(0) { $0 + $1.total_content_length },
        response_times: Dictionary(uniqueKeysWithValues: totalTimes), num_reqs_per_sec: Dictionary(uniqueKeysWithValues: totalReqs),
        num_fail_per_sec: Dictionary(uniqueKeysWithValues: totalFails))
    let classes: [(String, Int)] = [("WebUser", 40), ("ApiUser", 10)]
    let nodeID = "hostname_" + random.hex(32)
    let data: MessagePackValue = [
        "stats": .array(entryValues),
        "stats_total": entryValue(total, totalTimes, totalReqs, totalFails),
        "errors": .map(errors.map { key, error in
            .init(.string(key), [
                "name": .string(error.name), "method": .string(error.method), "error": .string(error.error),
                "occurrences": .uint(UInt64(error.occurrences)), "first_seen": .double(error.first_seen),
                "last_seen": .double(error.last_seen),
            ])
        }),
        "user_classes_count": .map(classes.map { .init(.string($0.0), .uint(UInt64($0.1))) }),
        "user_count": 50,
    ]
    let report = Report(
        stats: entries, stats_total: total, errors: Dictionary(uniqueKeysWithValues: errors),
        user_classes_count: Dictionary(uniqueKeysWithValues: classes), user_count: 50)
    return Fixture(value: ["stats", data, .string(nodeID)], envelope: Envelope(type: "stats", data: report, node_id: nodeID))
}

// MARK: What the master does with a report

/// What a walk saw: every integer (keys too), float, string byte and nil, so that walks can be
/// compared (msgpack-c's prints the same four figures).
struct Checksum: Equatable, CustomStringConvertible {
    var integers: UInt64 = 0
    var doubles: Double = 0
    var stringBytes = 0
    var nils = 0

    mutating func add(_ value: Int) { integers &+= UInt64(bitPattern: Int64(value)) }
    mutating func add(_ value: Double) { doubles += value }
    mutating func add(_ value: String) { stringBytes &+= value.utf8.count }

    var description: String { "\(integers) \(String(format: "%.6f", doubles)) \(stringBytes) \(nils)" }
}

/// Walks a decoded tree.
func walk(_ value: MessagePackValue, _ sum: inout Checksum) {
    switch value {
    case .nil: sum.nils += 1
    case .bool: break
    case .int(let integer): sum.integers &+= UInt64(bitPattern: integer)
    case .uint(let integer): sum.integers &+= integer
    case .float(let float): sum.add(Double(float))
    case .double(let double): sum.add(double)
    case .string(let string): sum.add(string)
    case .binary(let bytes): sum.stringBytes &+= bytes.count
    case .ext(_, let data): sum.stringBytes &+= data.count
    case .array(let elements): for element in elements { walk(element, &sum) }
    case .map(let pairs):
        for pair in pairs {
            walk(pair.key, &sum)
            walk(pair.value, &sum)
        }
    }
}

/// The report read field by field with ``MessagePackReader``, as a master merging it would: every key
/// read as a String and dispatched on, every count read as an Int, every time as a Double.
func streamingWalk(_ bytes: [UInt8]) throws(MessagePackError) -> Checksum {
    var reader = MessagePackReader(bytes)
    var sum = Checksum()
    guard try reader.readArrayHeader() == 3 else { throw MessagePackError(offset: 0, reason: "not a triple") }
    sum.add(try reader.readString())
    for _ in 0..<(try reader.readMapHeader()) {
        let key = try reader.readString()
        sum.add(key)
        switch key {
        case "stats":
            for _ in 0..<(try reader.readArrayHeader()) { try readEntry(&reader, &sum) }
        case "stats_total":
            try readEntry(&reader, &sum)
        case "errors":
            for _ in 0..<(try reader.readMapHeader()) {
                sum.add(try reader.readString())
                for _ in 0..<(try reader.readMapHeader()) {
                    let field = try reader.readString()
                    sum.add(field)
                    switch field {
                    case "name", "method", "error": sum.add(try reader.readString())
                    case "occurrences": sum.add(try reader.readInt())
                    case "first_seen", "last_seen": sum.add(try reader.readDouble())
                    default: try reader.skipValue()
                    }
                }
            }
        case "user_classes_count":
            for _ in 0..<(try reader.readMapHeader()) {
                sum.add(try reader.readString())
                sum.add(try reader.readInt())
            }
        case "user_count":
            sum.add(try reader.readInt())
        default:
            try reader.skipValue()
        }
    }
    sum.add(try reader.readString())
    return sum
}

/// One StatsEntry dict.
@inline(__always)
func readEntry(_ reader: inout MessagePackReader, _ sum: inout Checksum) throws(MessagePackError) {
    for _ in 0..<(try reader.readMapHeader()) {
        let key = try reader.readString()
        sum.add(key)
        switch key {
        case "name", "method":
            sum.add(try reader.readString())
        case "last_request_timestamp", "min_response_time":
            if try reader.readNil() { sum.nils += 1 } else { sum.add(try reader.readDouble()) }
        case "start_time", "total_response_time", "max_response_time":
            sum.add(try reader.readDouble())
        case "num_requests", "num_none_requests", "num_failures", "total_content_length":
            sum.add(try reader.readInt())
        case "response_times", "num_reqs_per_sec", "num_fail_per_sec":
            for _ in 0..<(try reader.readMapHeader()) {
                sum.add(try reader.readInt())
                sum.add(try reader.readInt())
            }
        default:
            try reader.skipValue()
        }
    }
}

/// The report written straight from the structs with ``MessagePackWriter`` (no value tree), as a
/// worker would send it.
func writeReport(_ envelope: Envelope, _ writer: inout MessagePackWriter) {
    func writeCounts(_ key: String, _ map: [Int: Int]) {
        writer.write(key)
        writer.writeMapHeader(map.count)
        for (bucket, count) in map {
            writer.write(bucket)
            writer.write(count)
        }
    }
    func writeEntry(_ entry: Entry) {
        writer.writeMapHeader(14)
        writer.write("name"); writer.write(entry.name)
        writer.write("method"); writer.write(entry.method)
        writer.write("last_request_timestamp")
        if let value = entry.last_request_timestamp { writer.write(value) } else { writer.writeNil() }
        writer.write("start_time"); writer.write(entry.start_time)
        writer.write("num_requests"); writer.write(entry.num_requests)
        writer.write("num_none_requests"); writer.write(entry.num_none_requests)
        writer.write("num_failures"); writer.write(entry.num_failures)
        writer.write("total_response_time"); writer.write(entry.total_response_time)
        writer.write("max_response_time"); writer.write(entry.max_response_time)
        writer.write("min_response_time")
        if let value = entry.min_response_time { writer.write(value) } else { writer.writeNil() }
        writer.write("total_content_length"); writer.write(entry.total_content_length)
        writeCounts("response_times", entry.response_times)
        writeCounts("num_reqs_per_sec", entry.num_reqs_per_sec)
        writeCounts("num_fail_per_sec", entry.num_fail_per_sec)
    }
    let report = envelope.data
    writer.writeArrayHeader(3)
    writer.write(envelope.type)
    writer.writeMapHeader(5)
    writer.write("stats")
    writer.writeArrayHeader(report.stats.count)
    for entry in report.stats { writeEntry(entry) }
    writer.write("stats_total")
    writeEntry(report.stats_total)
    writer.write("errors")
    writer.writeMapHeader(report.errors.count)
    for (key, error) in report.errors {
        writer.write(key)
        writer.writeMapHeader(6)
        writer.write("name"); writer.write(error.name)
        writer.write("method"); writer.write(error.method)
        writer.write("error"); writer.write(error.error)
        writer.write("occurrences"); writer.write(error.occurrences)
        writer.write("first_seen"); writer.write(error.first_seen)
        writer.write("last_seen"); writer.write(error.last_seen)
    }
    writer.write("user_classes_count")
    writer.writeMapHeader(report.user_classes_count.count)
    for (name, count) in report.user_classes_count {
        writer.write(name)
        writer.write(count)
    }
    writer.write("user_count")
    writer.write(report.user_count)
    writer.write(envelope.node_id)
}

/// Walks a JSONSerialization tree (counts only, to touch every node).
func walkJSON(_ object: Any, _ count: inout Int) {
    count += 1
    if let dictionary = object as? [String: Any] {
        for (_, value) in dictionary { walkJSON(value, &count) }
    } else if let array = object as? [Any] {
        for value in array { walkJSON(value, &count) }
    }
}

// MARK: Timing

nonisolated(unsafe) var sink = 0  // Written by every measured body so the optimizer keeps the work.

/// Median and fastest µs per call of `body` over `runs` runs, each at least ~60 ms long.
func measure(_ body: () throws -> Int, runs: Int = 11) rethrows -> (median: Double, fastest: Double) {
    let clock = ContinuousClock()
    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
    for _ in 0..<3 { sink &+= try body() }  // Warm up.
    let once = seconds(try clock.measure { sink &+= try body() })
    let iterations = max(1, Int(0.06 / max(once, 1e-7)))
    var perCall: [Double] = []
    for _ in 0..<runs {
        let elapsed = try clock.measure {
            for _ in 0..<iterations { sink &+= try body() }
        }
        perCall.append(seconds(elapsed) / Double(iterations) * 1e6)
    }
    perCall.sort()
    return (perCall[runs / 2], perCall[0])
}

/// Runs one operation `count` times, for `perf` or `valgrind --tool=callgrind`.
func loop(_ operation: String, _ count: Int) throws {
    let fixture = makeFixture()
    let bytes = fixture.value.encoded()
    for _ in 0..<count {
        switch operation {
        case "walk": sink &+= try streamingWalk(bytes).stringBytes
        case "decode": sink &+= try MessagePackValue.decode(bytes).arrayValue?.count ?? 0
        case "decode+walk":
            var sum = Checksum()
            walk(try MessagePackValue.decode(bytes), &sum)
            sink &+= sum.stringBytes
        case "encode": sink &+= fixture.value.encoded().count
        case "typed":
            var writer = MessagePackWriter(reservingCapacity: 32 * 1024)
            writeReport(fixture.envelope, &writer)
            sink &+= writer.bytes.count
        default: throw MessagePackError(offset: 0, reason: "unknown operation \(operation)")
        }
    }
    print(sink)
}

// MARK: Main

@main
enum MessagePackBench {
    static func main() throws {
        let arguments = CommandLine.arguments
        if arguments.count == 4, arguments[1] == "loop", let count = Int(arguments[3]) {
            try loop(arguments[2], count)
            return
        }
        guard arguments.count == 3, ["report", "run"].contains(arguments[1]) else {
            print("usage: mpbench report|run DIR, or mpbench loop walk|decode|decode+walk|encode|typed COUNT (for a profiler)")
            exit(2)
        }
        let directory = URL(fileURLWithPath: arguments[2], isDirectory: true)
        let fixture = makeFixture()
        let bytes = fixture.value.encoded()
        let jsonEncoder = JSONEncoder()
        let json = try jsonEncoder.encode(fixture.envelope)
        if arguments[1] == "report" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(bytes).write(to: directory.appendingPathComponent("report.msgpack"))
            try json.write(to: directory.appendingPathComponent("report.json"))
            var sum = Checksum()
            walk(fixture.value, &sum)
            print("report: \(bytes.count) bytes of msgpack, \(json.count) bytes of JSON; checksum \(sum)")
            return
        }

        // Checks before timing: the decoders agree, the writer round-trips.
        let decoded = try MessagePackValue.decode(bytes)
        precondition(decoded == fixture.value && decoded.encoded() == bytes, "round trip failed")
        var treeSum = Checksum()
        walk(decoded, &treeSum)
        let streamSum = try streamingWalk(bytes)
        precondition(treeSum == streamSum, "walks differ: \(treeSum) vs \(streamSum)")
        var typed = MessagePackWriter(reservingCapacity: bytes.count)
        writeReport(fixture.envelope, &typed)
        precondition(typed.bytes.count == bytes.count, "typed writer wrote \(typed.bytes.count) bytes, expected \(bytes.count)")
        let jsonDecoder = JSONDecoder()
        _ = try jsonDecoder.decode(Envelope.self, from: json)

        // msgpack-c's figures, when run.sh measured them.
        var cFigures: [String: (median: Double, fastest: Double)] = [:]
        var cChecksum = ""
        var cRepackedIdentical = ""
        if let text = try? String(contentsOf: directory.appendingPathComponent("c-results.tsv"), encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: "\t").map(String.init)
                guard fields.count >= 2 else { continue }
                switch fields[0] {
                case "checksum": cChecksum = fields[1]
                case "repacked-identical": cRepackedIdentical = fields[1]
                default:
                    if fields.count == 3, let median = Double(fields[1]), let fastest = Double(fields[2]) {
                        cFigures[fields[0]] = (median, fastest)
                    }
                }
            }
        }

        var rows: [(String, String, (median: Double, fastest: Double))] = []  // (direction, operation, µs)
        func row(_ direction: String, _ name: String, _ body: () throws -> Int) rethrows {
            rows.append((direction, name, try measure(body)))
        }
        try row("decode", "Swift MessagePackReader walk (every field, String keys)") { try streamingWalk(bytes).stringBytes }
        try row("decode", "Swift decode to MessagePackValue") {
            if case .array(let elements) = try MessagePackValue.decode(bytes) { return elements.count }
            return 0
        }
        try row("decode", "Swift decode to MessagePackValue + tree walk") {
            var sum = Checksum()
            walk(try MessagePackValue.decode(bytes), &sum)
            return sum.stringBytes
        }
        if let micros = cFigures["unpack+walk"] { rows.append(("decode", "msgpack-c msgpack_unpack_next + tree walk", micros)) }
        try row("decode", "Foundation JSONSerialization data -> objects") {
            (try JSONSerialization.jsonObject(with: json) as? [String: Any])?.count ?? 0
        }
        try row("decode", "Foundation JSONDecoder -> Codable structs") {
            try jsonDecoder.decode(Envelope.self, from: json).data.stats.count
        }
        row("encode", "Swift MessagePackWriter from structs (typed writes)") {
            var writer = MessagePackWriter(reservingCapacity: 32 * 1024)
            writeReport(fixture.envelope, &writer)
            return writer.bytes.count
        }
        row("encode", "Swift MessagePackValue.encoded() (tree -> bytes)") { fixture.value.encoded().count }
        if let micros = cFigures["pack"] { rows.append(("encode", "msgpack-c msgpack_pack_object (tree -> bytes)", micros)) }
        let jsonObject = try JSONSerialization.jsonObject(with: json)
        try row("encode", "Foundation JSONSerialization objects -> data") {
            try JSONSerialization.data(withJSONObject: jsonObject).count
        }
        try row("encode", "Foundation JSONEncoder <- Codable structs") { try jsonEncoder.encode(fixture.envelope).count }

        print("report: 50 request names, \(bytes.count) bytes of msgpack, \(json.count) bytes of JSON")
        print("checksum (ints, floats, string bytes, nils): Swift \(streamSum)" + (cChecksum.isEmpty ? "" : ", msgpack-c \(cChecksum)"))
        if !cChecksum.isEmpty, cChecksum != streamSum.description { print("WARNING: msgpack-c walked a different report") }
        if !cRepackedIdentical.isEmpty { print("msgpack-c re-packs the report byte-identical: \(cRepackedIdentical)") }
        print("")
        print("| direction | operation | µs per report, median | fastest run | reports/s (median) | time ÷ msgpack-c | Codable JSON time ÷ this |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for (direction, name, micros) in rows {
            let cReference = cFigures[direction == "decode" ? "unpack+walk" : "pack"]?.median
            let jsonReference = rows.first { $0.0 == direction && $0.1.hasPrefix("Foundation JSON") && $0.1.contains("Codable") }?.2.median
            let versusC = cReference.map { String(format: "%.2f", micros.median / $0) } ?? "-"
            let versusJSON = jsonReference.map { String(format: "%.1f", $0 / micros.median) } ?? "-"
            print("| \(direction) | \(name) | \(String(format: "%.1f", micros.median)) | \(String(format: "%.1f", micros.fastest)) | \(String(format: "%.0f", 1e6 / micros.median)) | \(versusC) | \(versusJSON) |")
        }
        if sink == 42 { print("") }  // Keeps `sink` observable.
    }
}
