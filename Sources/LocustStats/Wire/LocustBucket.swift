/// Locust's `bucket_response_time`: the key a response time (ms) is counted under in the `response_times`
/// map of a worker's report: exact below 100 ms, to 10 ms below 1 s, to 100 ms below 10 s, to 1 s above.
/// Python's `round` rounds halves to even; so does this.
public enum LocustBucket {
    /// The bucket of `milliseconds`.
    public static func bucket(_ milliseconds: Double) -> Int {
        guard milliseconds.isFinite, milliseconds > 0 else { return 0 }
        let step: Double
        if milliseconds < 100 {
            step = 1
        } else if milliseconds < 1000 {
            step = 10
        } else if milliseconds < 10_000 {
            step = 100
        } else {
            step = 1000
        }
        let rounded = (milliseconds / step).rounded(.toNearestOrEven) * step
        return rounded < 9.0e15 ? Int(rounded) : Int(9.0e15)
    }
}
