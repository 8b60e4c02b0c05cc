#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Formatting helpers that reproduce the CPython formatting Locust's reports rely on
/// (`repr(float)`, `%.Nf`, `%d` of a float, `%-Ns`/`%Ns` padding, UTC timestamps).
enum PythonFormat {
    /// `repr(x)` of a Python float: the shortest round-trip digits, fixed notation when the decimal
    /// exponent is in `-4 ..< 16`, scientific (`1e-05`, `1.5e+16`) otherwise, and always a `.0` on
    /// integral values.
    static func repr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        // Swift's description already holds the shortest round-trip digits; only the layout differs.
        var text = Substring(value.description)
        var negative = false
        if text.hasPrefix("-") {
            negative = true
            text = text.dropFirst()
        }
        var exponent = 0
        if let marker = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: marker)...]) ?? 0
            text = text[..<marker]
        }
        var digits: [UInt8] = []
        var pointPosition: Int?
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                pointPosition = digits.count
            } else {
                digits.append(byte)
            }
        }
        // Value = 0.d1d2d3... * 10^decimalPoint
        var decimalPoint = (pointPosition ?? digits.count) + exponent
        var leading = 0
        while leading < digits.count, digits[leading] == UInt8(ascii: "0") {
            leading += 1
        }
        digits.removeFirst(leading)
        decimalPoint -= leading
        while let last = digits.last, last == UInt8(ascii: "0") {
            digits.removeLast()
        }
        let sign = negative ? "-" : ""
        if digits.isEmpty { return sign + "0.0" }
        let all = String(decoding: digits, as: UTF8.self)
        if decimalPoint > -4, decimalPoint <= 16 {
            if decimalPoint <= 0 {
                return sign + "0." + String(repeating: "0", count: -decimalPoint) + all
            }
            if decimalPoint >= digits.count {
                return sign + all + String(repeating: "0", count: decimalPoint - digits.count) + ".0"
            }
            let head = String(decoding: digits[..<decimalPoint], as: UTF8.self)
            let tail = String(decoding: digits[decimalPoint...], as: UTF8.self)
            return sign + head + "." + tail
        }
        let first = String(decoding: digits[..<1], as: UTF8.self)
        let rest = digits.count > 1 ? "." + String(decoding: digits[1...], as: UTF8.self) : ""
        let e = decimalPoint - 1
        let magnitude = abs(e) < 10 ? "0\(abs(e))" : "\(abs(e))"
        return sign + first + rest + "e" + (e < 0 ? "-" : "+") + magnitude
    }

    /// `"%.Nf" % x` (C `printf` rounding, which is what CPython uses).
    static func fixed(_ value: Double, decimals: Int) -> String {
        let format = "%.\(max(0, decimals))f"
        var capacity = 64
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let written = withVaList([value]) { arguments in
                buffer.withUnsafeMutableBufferPointer { pointer in
                    Int(vsnprintf(pointer.baseAddress, capacity, format, arguments))
                }
            }
            if written < 0 { return repr(value) }
            if written < capacity {
                return String(decoding: buffer[..<written].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            capacity = written + 1
        }
    }

    /// `int(x)` of a Python float (truncation toward zero); non-finite values give 0.
    static func truncated(_ value: Double) -> Int {
        guard value.isFinite else { return 0 }
        let whole = value.rounded(.towardZero)
        if whole >= 9.2e18 { return Int.max }
        if whole <= -9.2e18 { return Int.min }
        return Int(whole)
    }

    /// `"%-Ns" % s`: pads on the right to `width` code points, never truncates.
    static func leftAligned(_ text: String, _ width: Int) -> String {
        let length = text.unicodeScalars.count
        return length >= width ? text : text + String(repeating: " ", count: width - length)
    }

    /// `"%Ns" % s`: pads on the left to `width` code points, never truncates.
    static func rightAligned(_ text: String, _ width: Int) -> String {
        let length = text.unicodeScalars.count
        return length >= width ? text : String(repeating: " ", count: width - length) + text
    }

    /// Locust's `format_utc_timestamp`: `datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")`.
    static func utcTimestamp(_ timestamp: Double) -> String {
        let seconds = truncated(timestamp)
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }
        let yearText = year >= 0 && year < 1_000
            ? String(repeating: "0", count: 4 - "\(year)".count) + "\(year)" : "\(year)"
        return "\(yearText)-\(two(month))-\(two(day))T\(two(secondOfDay / 3_600)):"
            + "\(two(secondOfDay % 3_600 / 60)):\(two(secondOfDay % 60))Z"
    }
}
