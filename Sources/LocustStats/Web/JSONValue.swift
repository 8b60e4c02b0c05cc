/// A JSON value, serialized the way Locust's Flask app writes its answers: object keys sorted by
/// code point (`sort_keys`), non-ASCII characters escaped (`ensure_ascii`), floats printed as Python's
/// `repr` does (`15.0`, `0.08695652173913043`, `1e-05`) and integers without a fraction.
///
/// NaN and infinities, which Python would print as the invalid `NaN` / `Infinity`, are written as
/// `null`.
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer (a Python `int`).
    case int(Int)
    /// A floating-point number (a Python `float`), always written with a fraction or an exponent.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object; its keys are written sorted by code point, as Flask sorts them.
    case object([String: JSONValue])

    /// A ``double(_:)``, or ``null`` when `value` is `nil`.
    public init(_ value: Double?) {
        self = value.map { .double($0) } ?? .null
    }

    /// An ``int(_:)``, or ``null`` when `value` is `nil`.
    public init(_ value: Int?) {
        self = value.map { .int($0) } ?? .null
    }

    /// A ``string(_:)``, or ``null`` when `value` is `nil`.
    public init(_ value: String?) {
        self = value.map { .string($0) } ?? .null
    }

    // MARK: Reading

    /// The member `key` of an object (`nil` for a missing key or a value that is not an object).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The element at `index` of an array (`nil` out of range or for a value that is not an array).
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The elements of an array, `nil` for any other value.
    public var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The members of an object, `nil` for any other value.
    public var objectValue: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// The text of a string, `nil` for any other value.
    public var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// The value of an integer, `nil` for any other value (a double is not converted).
    public var intValue: Int? {
        guard case .int(let value) = self else { return nil }
        return value
    }

    /// The value of a number: a double, or an integer converted; `nil` for any other value.
    public var numberValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    // MARK: Writing

    /// The JSON text.
    /// - Parameters:
    ///   - pretty: Indent by two spaces with `": "` after keys, as Flask writes in debug mode (which
    ///     Locust's web UI runs in, so Locust's answers look like this, plus a final newline that the
    ///     caller adds); otherwise compact (`,` and `:` without spaces, Flask's non-debug form).
    ///   - escapingHTML: Also escape `<`, `>`, `&` and `'` as `\u003c`, `\u003e`, `\u0026` and
    ///     `\u0027` (Flask's `htmlsafe_json_dumps`), so that the text can be put inside an HTML
    ///     `<script>` element.
    public func serialized(pretty: Bool = false, escapingHTML: Bool = false) -> String {
        var output = ""
        write(to: &output, pretty: pretty, escapingHTML: escapingHTML, depth: 0)
        return output
    }

    private func write(to output: inout String, pretty: Bool, escapingHTML: Bool, depth: Int) {
        switch self {
        case .null:
            output += "null"
        case .bool(let value):
            output += value ? "true" : "false"
        case .int(let value):
            output += String(value)
        case .double(let value):
            output += value.isFinite ? PythonFormat.repr(value) : "null"
        case .string(let text):
            Self.writeString(text, to: &output, escapingHTML: escapingHTML)
        case .array(let elements):
            if elements.isEmpty {
                output += "[]"
                return
            }
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                if pretty { Self.newline(&output, depth: depth + 1) }
                element.write(to: &output, pretty: pretty, escapingHTML: escapingHTML, depth: depth + 1)
            }
            if pretty { Self.newline(&output, depth: depth) }
            output += "]"
        case .object(let members):
            if members.isEmpty {
                output += "{}"
                return
            }
            output += "{"
            let keys = members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output += "," }
                if pretty { Self.newline(&output, depth: depth + 1) }
                Self.writeString(key, to: &output, escapingHTML: escapingHTML)
                output += pretty ? ": " : ":"
                members[key]?.write(to: &output, pretty: pretty, escapingHTML: escapingHTML, depth: depth + 1)
            }
            if pretty { Self.newline(&output, depth: depth) }
            output += "}"
        }
    }

    private static func newline(_ output: inout String, depth: Int) {
        output += "\n"
        output += String(repeating: "  ", count: depth)
    }

    /// Writes a string literal as Python's `json` does with `ensure_ascii=True`.
    private static func writeString(_ text: String, to output: inout String, escapingHTML: Bool) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "<" where escapingHTML, ">" where escapingHTML, "&" where escapingHTML, "'" where escapingHTML:
                appendEscape(UInt16(scalar.value), to: &output)
            default:
                if scalar.value >= 0x20, scalar.value < 0x7F {
                    output.unicodeScalars.append(scalar)
                } else if scalar.value <= 0xFFFF {
                    appendEscape(UInt16(scalar.value), to: &output)
                } else {
                    let value = scalar.value - 0x10000
                    appendEscape(UInt16(0xD800 + (value >> 10)), to: &output)
                    appendEscape(UInt16(0xDC00 + (value & 0x3FF)), to: &output)
                }
            }
        }
        output += "\""
    }

    /// `\uXXXX` with lowercase hex digits, as Python writes it.
    private static func appendEscape(_ unit: UInt16, to output: inout String) {
        let hex = String(unit, radix: 16)
        output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
