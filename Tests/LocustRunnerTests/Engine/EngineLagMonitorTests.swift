import Synchronization
import Testing
@testable import LocustRunner

/// The load-collapse warning: lateness past 200 ms warns, at most once a minute (an injected clock).
struct EngineLagMonitorTests {
    final class Readings: Sendable {
        let values = Mutex<[Int]>([])
        func next() -> Int { values.withLock { $0.isEmpty ? 0 : $0.removeFirst() } }
    }

    @Test func warnsPastTheThresholdOnceAMinute() {
        let readings = Readings()
        readings.values.withLock { $0 = [5, 150, 250, 900, 300, 0] }
        let monitor = EngineLagMonitor(lateness: { readings.next() }, logger: quietLogger())
        let start = ContinuousClock.now
        #expect(monitor.check(now: start) == 5)
        #expect(monitor.check(now: start + .seconds(1)) == 150)
        #expect(monitor.warnings == 0)
        #expect(monitor.check(now: start + .seconds(2)) == 250)
        #expect(monitor.warnings == 1)
        #expect(monitor.check(now: start + .seconds(3)) == 900)
        #expect(monitor.warnings == 1, "a second warning within the minute")
        #expect(monitor.check(now: start + .seconds(63)) == 300)
        #expect(monitor.warnings == 2)
        #expect(monitor.lastLag == 300)
    }
}
