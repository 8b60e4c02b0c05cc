import Testing
@testable import LocustRunner

/// The master's bound on connections that have sent no whole message, with an injected clock.
struct UnprovenConnectionsTests {
    @Test("Past the limit the oldest waiting connection is dropped; one that spoke no longer counts")
    func dropsTheOldestPastTheLimit() {
        var waiting = UnprovenConnections(limit: 3, timeout: 10, grace: 0)
        #expect(waiting.accepted(fd: 10, peer: "a", at: 0).isEmpty)
        #expect(waiting.accepted(fd: 11, peer: "b", at: 1).isEmpty)
        waiting.spoke(fd: 10)
        #expect(waiting.accepted(fd: 12, peer: "c", at: 2).isEmpty)
        #expect(waiting.accepted(fd: 13, peer: "d", at: 3).isEmpty, "10 spoke, so 3 wait: at the limit, not over it")
        #expect(waiting.accepted(fd: 14, peer: "e", at: 4) == [.init(fd: 11, peer: "b", reason: .tooMany)])
        #expect(waiting.count == 3)
    }

    @Test("Past the limit, a connection within its first second is kept: a burst of real slaves speaks at once")
    func aBurstGetsItsGrace() {
        var waiting = UnprovenConnections(limit: 2, timeout: 10, grace: 1)
        for fd in Int32(0)..<5 { #expect(waiting.accepted(fd: fd, peer: "p\(fd)", at: 100 + Double(fd) / 100).isEmpty) }
        #expect(abs((waiting.secondsUntilNextTimeout(now: 100.1) ?? 0) - 0.9) < 1e-9, "past the limit, the next check is the oldest's grace")
        waiting.spoke(fd: 0)
        waiting.spoke(fd: 1)
        #expect(waiting.due(at: 100.5).isEmpty)
        // Three still wait at 1.05 s, one over the limit: the oldest of them goes.
        #expect(waiting.due(at: 101.05) == [.init(fd: 2, peer: "p2", reason: .tooMany)])
        #expect(waiting.count == 2)
        #expect(abs((waiting.secondsUntilNextTimeout(now: 101.05) ?? 0) - 8.98) < 1e-9, "then the oldest's timeout")
    }

    @Test("A connection silent for the timeout is dropped at the first tick after it; the next timeout is the oldest's")
    func dropsTheSilent() {
        var waiting = UnprovenConnections(limit: 64, timeout: 10)
        _ = waiting.accepted(fd: 5, peer: "a", at: 100)
        _ = waiting.accepted(fd: 6, peer: "b", at: 104)
        #expect(waiting.secondsUntilNextTimeout(now: 101) == 9)
        #expect(waiting.expired(at: 109.9).isEmpty)
        #expect(waiting.expired(at: 110) == [.init(fd: 5, peer: "a", reason: .silent)])
        #expect(waiting.secondsUntilNextTimeout(now: 110) == 4)
        waiting.closed(fd: 6)
        #expect(waiting.expired(at: 200).isEmpty)
        #expect(waiting.secondsUntilNextTimeout(now: 200) == nil)
    }

    @Test("A descriptor accepted again (the kernel reused it) waits once, from its new acceptance")
    func reusedDescriptor() {
        var waiting = UnprovenConnections(limit: 64, timeout: 10)
        _ = waiting.accepted(fd: 7, peer: "a", at: 0)
        _ = waiting.accepted(fd: 7, peer: "b", at: 8)
        #expect(waiting.count == 1)
        #expect(waiting.expired(at: 12).isEmpty)
        #expect(waiting.expired(at: 18) == [.init(fd: 7, peer: "b", reason: .silent)])
    }
}
