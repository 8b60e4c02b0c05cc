/// Encodes rows the way Python's `csv.writer` does with its default `excel` dialect:
/// comma separated, `\r\n` line ends, fields quoted only when they contain a comma, a quote,
/// `\r` or `\n` (quotes doubled), and a row holding one empty field written as `""`.
enum CSVEncoding {
    /// One encoded row including its `\r\n` terminator.
    static func line(_ fields: [String]) -> String {
        if fields.count == 1, fields[0].isEmpty { return "\"\"\r\n" }
        var result = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { result += "," }
            result += escape(field)
        }
        return result + "\r\n"
    }

    /// Quotes one field when needed.
    static func escape(_ field: String) -> String {
        var needsQuotes = false
        for byte in field.utf8 where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
            needsQuotes = true
            break
        }
        guard needsQuotes else { return field }
        var quoted = "\""
        for character in field {
            if character == "\"" { quoted += "\"\"" } else { quoted.append(character) }
        }
        return quoted + "\""
    }
}
