import Testing

@testable import LocustAPI

@Suite("Request timeouts in milliseconds")
struct TimeoutMillisecondsTests {
    @Test("Whole and fractional seconds convert to milliseconds")
    func converts() {
        #expect(HTTPClient.milliseconds(.seconds(10)) == 10_000)
        #expect(HTTPClient.milliseconds(.milliseconds(1_500)) == 1_500)
        #expect(HTTPClient.milliseconds(.seconds(2.25)) == 2_250)
    }

    @Test("Timeouts under a millisecond, zero and negative ones become 1 ms")
    func atLeastOneMillisecond() {
        #expect(HTTPClient.milliseconds(.microseconds(10)) == 1)
        #expect(HTTPClient.milliseconds(.zero) == 1)
        #expect(HTTPClient.milliseconds(.seconds(-5)) == 1)
    }

    @Test("A timeout too large for milliseconds saturates instead of trapping")
    func saturates() {
        #expect(HTTPClient.milliseconds(.seconds(Int64.max)) == Int.max)
        #expect(HTTPClient.milliseconds(.seconds(Int64.max / 1000)) > 0)
    }
}
