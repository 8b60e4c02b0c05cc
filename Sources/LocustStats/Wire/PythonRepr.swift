/// Python's `repr()` of a `str`, which Locust hashes into an error's key
/// (`sha256(f"{method}.{name}.{error!r}")`): single quotes unless the text holds a single quote and no
/// double quote, backslash escapes for the quote, `\\`, `\n`, `\r`, `\t` and other control characters.
enum PythonRepr {
    /// `repr(text)`.
    static func string(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var result = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if Character(scalar) == quote {
                    result += "\\" + String(quote)
                } else if scalar.value < 0x20 || scalar.value == 0x7f {
                    result += "\\x" + hex(scalar.value, digits: 2)
                } else if (0x80..<0xa0).contains(scalar.value) {
                    result += "\\x" + hex(scalar.value, digits: 2)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        result.append(quote)
        return result
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
