import Testing
@testable import LocustStats

struct PythonFormatTests {
    @Test(arguments: [
        (1.0, "1.0"), (0.1 + 0.2, "0.30000000000000004"), (1e-05, "1e-05"), (0.0001, "0.0001"),
        (1.5e-7, "1.5e-07"), (1e16, "1e+16"), (9_007_199_254_740_992.0, "9007199254740992.0"),
        (123_456.7, "123456.7"), (-0.0, "-0.0"), (0.0, "0.0"), (Double.leastNonzeroMagnitude, "5e-324"), (1e22, "1e+22"),
        (1.2345678901234568e+17, "1.2345678901234568e+17"), (47.15841584158416, "47.15841584158416"),
        (-2.5, "-2.5"), (1e100, "1e+100"), (2048.0, "2048.0"),
    ])
    func reprMatchesPython(value: Double, expected: String) {
        #expect(PythonFormat.repr(value) == expected)
    }

    @Test func fixedAndTruncation() {
        #expect(PythonFormat.fixed(2.675, decimals: 2) == "2.67")
        #expect(PythonFormat.fixed(0.125, decimals: 2) == "0.12")
        #expect(PythonFormat.fixed(0, decimals: 6) == "0.000000")
        #expect(PythonFormat.fixed(12.3456789, decimals: 6) == "12.345679")
        #expect(PythonFormat.fixed(1e300, decimals: 2).count == 304)
        #expect(PythonFormat.truncated(3.9) == 3)
        #expect(PythonFormat.truncated(-2.5) == -2)
        #expect(PythonFormat.truncated(.nan) == 0)
    }

    @Test func utcTimestamps() {
        #expect(PythonFormat.utcTimestamp(0) == "1970-01-01T00:00:00Z")
        #expect(PythonFormat.utcTimestamp(1_700_000_000.9) == "2023-11-14T22:13:20Z")
        #expect(PythonFormat.utcTimestamp(951_868_799) == "2000-02-29T23:59:59Z")
        #expect(PythonFormat.utcTimestamp(4_102_444_800) == "2100-01-01T00:00:00Z")
    }

    @Test func paddingCountsCodePoints() {
        #expect(PythonFormat.leftAligned("é", 3) == "é  ")
        #expect(PythonFormat.rightAligned("12", 5) == "   12")
        #expect(PythonFormat.leftAligned("toolong", 3) == "toolong")
    }

    @Test func percentileLabels() {
        #expect(ReportedPercentiles.labels(ReportedPercentiles.standard)
            == ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"])
        #expect(ReportedPercentiles.label(0.99999) == "99.999%")
    }

    @Test func locustMedianRounding() {
        #expect(PythonNumber.median(0.4, min: 0.3, max: 0.6, count: 3) == .float(0.3))
        #expect(PythonNumber.median(0.6, min: 0.6, max: 0.6, count: 1) == .float(0.6))
        #expect(PythonNumber.median(47.2, min: 1, max: 97, count: 9) == .int(47))
        #expect(PythonNumber.median(12.5, min: 1, max: 97, count: 9) == .int(12))  // round half to even
        #expect(PythonNumber.median(0, min: nil, max: 0, count: 0) == .int(0))
    }
}
