import Foundation
import LocustStats

/// Reads the real Locust 2.47 answers in `shared/fixtures/locust-2.47-web/`, which sits beside the
/// checkout (`<checkout>/../shared/...`), and parses JSON keeping ints and floats apart.
enum WebFixtures {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "fixture \(path) is missing: the Locust 2.47 answers are expected in ../shared/fixtures/locust-2.47-web/ "
                + "beside the checkout"
        }
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Web
            .deletingLastPathComponent()  // LocustStatsTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // the checkout
            .appendingPathComponent("../shared/fixtures/locust-2.47-web", isDirectory: true)
            .standardizedFileURL
    }

    static func text(_ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw Missing(path: url.path) }
        return String(decoding: data, as: UTF8.self)
    }

    static func json(_ name: String) throws -> JSONValue {
        try parse(text(name))
    }

    /// The value of a header line (`Name: value`) of a `.headers` fixture, the name matched without case.
    static func header(_ name: String, in file: String) throws -> String {
        for line in try text(file).split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name.lowercased() {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        throw Malformed(description: "no \(name) header in \(file)")
    }

    // MARK: A small JSON parser (ints without a fraction or exponent, doubles otherwise)

    static func parse(_ text: String) throws -> JSONValue {
        var parser = Parser(scalars: Array(text.unicodeScalars))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.position == parser.scalars.count else { throw Malformed(description: "trailing text") }
        return value
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var position = 0

        mutating func skipSpace() {
            while position < scalars.count, [" ", "\n", "\r", "\t"].contains(scalars[position]) { position += 1 }
        }

        mutating func value() throws -> JSONValue {
            skipSpace()
            guard position < scalars.count else { throw Malformed(description: "unexpected end") }
            switch scalars[position] {
            case "{":
                position += 1
                var members: [String: JSONValue] = [:]
                skipSpace()
                if peek("}") { return .object(members) }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(":")
                    members[key] = try value()
                    skipSpace()
                    if peek("}") { return .object(members) }
                    try expect(",")
                }
            case "[":
                position += 1
                var elements: [JSONValue] = []
                skipSpace()
                if peek("]") { return .array(elements) }
                while true {
                    elements.append(try value())
                    skipSpace()
                    if peek("]") { return .array(elements) }
                    try expect(",")
                }
            case "\"":
                return .string(try string())
            case "t":
                try word("true")
                return .bool(true)
            case "f":
                try word("false")
                return .bool(false)
            case "n":
                try word("null")
                return .null
            default:
                return try number()
            }
        }

        mutating func peek(_ scalar: Unicode.Scalar) -> Bool {
            if position < scalars.count, scalars[position] == scalar {
                position += 1
                return true
            }
            return false
        }

        mutating func expect(_ scalar: Unicode.Scalar) throws {
            guard peek(scalar) else { throw Malformed(description: "expected \(scalar) at \(position)") }
        }

        mutating func word(_ text: String) throws {
            for scalar in text.unicodeScalars { try expect(scalar) }
        }

        mutating func number() throws -> JSONValue {
            let start = position
            var isDouble = false
            while position < scalars.count, "+-0123456789.eE".unicodeScalars.contains(scalars[position]) {
                if ".eE".unicodeScalars.contains(scalars[position]) { isDouble = true }
                position += 1
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[start ..< position])
            if isDouble, let value = Double(text) { return .double(value) }
            if !isDouble, let value = Int(text) { return .int(value) }
            throw Malformed(description: "bad number \(text)")
        }

        mutating func string() throws -> String {
            try expect("\"")
            var result = ""
            var pendingHigh: UInt32?
            while position < scalars.count {
                let scalar = scalars[position]
                position += 1
                if scalar == "\"" { return result }
                guard scalar == "\\" else {
                    result.unicodeScalars.append(scalar)
                    continue
                }
                guard position < scalars.count else { break }
                let escape = scalars[position]
                position += 1
                switch escape {
                case "n": result += "\n"
                case "r": result += "\r"
                case "t": result += "\t"
                case "b": result += "\u{08}"
                case "f": result += "\u{0C}"
                case "u":
                    guard position + 4 <= scalars.count else { throw Malformed(description: "short \\u") }
                    var hex = ""
                    hex.unicodeScalars.append(contentsOf: scalars[position ..< position + 4])
                    position += 4
                    guard let unit = UInt32(hex, radix: 16) else { throw Malformed(description: "bad \\u\(hex)") }
                    if (0xD800 ..< 0xDC00).contains(unit) {
                        pendingHigh = unit
                    } else if (0xDC00 ..< 0xE000).contains(unit), let high = pendingHigh {
                        let value = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)
                        if let combined = Unicode.Scalar(value) { result.unicodeScalars.append(combined) }
                        pendingHigh = nil
                    } else if let single = Unicode.Scalar(unit) {
                        result.unicodeScalars.append(single)
                    }
                default: result.unicodeScalars.append(escape)
                }
            }
            throw Malformed(description: "unterminated string")
        }
    }

    // MARK: Comparing shapes

    /// A value's JSON type name: `null`, `bool`, `int`, `double`, `string`, `array`, `object`.
    static func type(_ value: JSONValue?) -> String {
        switch value {
        case .none: return "absent"
        case .null?: return "null"
        case .bool?: return "bool"
        case .int?: return "int"
        case .double?: return "double"
        case .string?: return "string"
        case .array?: return "array"
        case .object?: return "object"
        }
    }

    static func keys(_ value: JSONValue?) -> Set<String> {
        Set(value?.objectValue.map { Array($0.keys) } ?? [])
    }
}
