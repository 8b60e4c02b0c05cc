/// Decodes `application/x-www-form-urlencoded` text (`a=1&b=two+words`), as sent by forms and in query strings.
enum FormURLDecoder {
    /// All `name=value` pairs in order, decoded; a pair without `=` has an empty value.
    static func pairs(in text: Substring) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return (decode(pair[..<equals]), decode(pair[pair.index(after: equals)...]))
            }
            return (decode(pair), "")
        }
    }

    /// The value of the first pair named `name`, or `nil` when there is none.
    static func value(of name: String, in text: Substring) -> String? {
        pairs(in: text).first(where: { $0.name == name })?.value
    }

    /// Percent-decodes one component and turns `+` into a space; malformed escapes are kept as they are,
    /// and byte sequences that are not UTF-8 are repaired with replacement characters.
    static func decode(_ component: Substring) -> String {
        let utf8 = Array(component.utf8)
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(component)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < utf8.count,
                let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value of one hexadecimal digit, or `nil` when `byte` is not one.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
