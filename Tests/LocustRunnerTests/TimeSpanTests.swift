import Testing
@testable import LocustRunner

struct TimeSpanTests {
    @Test(arguments: [
        ("30", 30.0), ("30s", 30), ("5m", 300), ("1h30m", 5400), ("2h10m5s", 7805), ("1.5s", 1.5), ("0", 0), ("90m", 5400),
    ])
    func parsesLocustSpans(text: String, seconds: Double) {
        #expect(TimeSpan.seconds(text) == seconds)
    }

    @Test(arguments: ["", "5x", "m", "1m1h", "1s1s", "-3", "abc", "1h 2m", "10ms"])
    func rejectsMalformedSpans(text: String) {
        #expect(TimeSpan.seconds(text) == nil)
    }
}
