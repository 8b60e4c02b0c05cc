/// The percentile lists Locust reports, and the labels it prints for them.
public enum ReportedPercentiles {
    /// Locust's `PERCENTILES_TO_REPORT`: 50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99 and 100 %,
    /// as fractions.
    public static let standard: [Double] = [0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0]

    /// Locust's `PERCENTILES_TO_CHART`: the current-window percentiles kept in the history for charts.
    public static let chart: [Double] = [0.5, 0.95]

    /// The column label Locust prints for a percentile fraction (`get_readable_percentiles`):
    /// `0.5` → `"50%"`, `0.999` → `"99.9%"`, `1.0` → `"100%"`.
    public static func label(_ percentile: Double) -> String {
        let percent = percentile * 100
        if percent.isFinite, percent == percent.rounded(), abs(percent) < 1e15 {
            return "\(Int(percent))%"
        }
        let rounded = (percent * 1_000_000).rounded() / 1_000_000
        return PythonFormat.repr(rounded) + "%"
    }

    /// The labels for a list of percentile fractions.
    public static func labels(_ percentiles: [Double]) -> [String] {
        percentiles.map(label)
    }
}
