/// Numbers as Python prints them in Locust's log lines: `10` for 10.0, `2.5` otherwise.
enum PythonStyle {
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// `seconds` as a duration, saturating instead of trapping on huge or negative values.
    static func seconds(saturating seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .milliseconds(Int64(min(seconds * 1000, 9e15)))
    }
}
