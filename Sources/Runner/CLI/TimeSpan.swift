import Foundation

/// Locust's time spans: `30`, `30s`, `5m`, `1h30m`, `2h10m5s`.
public enum TimeSpan {
    /// The span in seconds, or nil when `text` is not a time span.
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty else { return nil }
        if let plain = Double(trimmed) { return plain >= 0 && plain.isFinite ? plain : nil }
        var total = 0.0
        var number = ""
        var lastUnit = -1
        for character in trimmed {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            let unit: Int
            let factor: Double
            switch character {
            case "h": (unit, factor) = (0, 3600)
            case "m": (unit, factor) = (1, 60)
            case "s": (unit, factor) = (2, 1)
            default: return nil
            }
            // Units come once each, largest first.
            guard unit > lastUnit, let value = Double(number), value.isFinite else { return nil }
            total += value * factor
            lastUnit = unit
            number = ""
        }
        guard number.isEmpty else { return nil }
        return total
    }
}
