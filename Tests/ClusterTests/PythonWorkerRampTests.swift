import Testing
@testable import LocustRunner

/// Locust's dispatcher arithmetic for Python workers, at given instants.
struct PythonWorkerRampTests {
    let start = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds) }

    /// At 2.5/s Locust's dispatcher adds 2 users every 0.8 s; at each whole second the ramp has ordered
    /// what it would have by then.
    @Test func aFractionalRateStepsAsLocustsDispatcher() {
        let ramp = PythonWorkerRamp(base: [:], final: ["w": [10]], rate: 2.5, now: start)
        #expect(ramp.step == 2)
        #expect(ramp.interval == 0.8)
        #expect([0, 1, 2, 3, 4].map { ramp.due(at: at($0)) } == [2, 4, 6, 8, 10])
        #expect(ramp.due(at: at(2.4)) == 8, "on a step's time, that step is due")
    }

    @Test func decreasesAreInTheBaseAndNotPaced() {
        var ramp = PythonWorkerRamp(base: ["w": [5, 1]], final: ["w": [2, 4]], rate: 1, now: start)
        #expect(ramp.base == ["w": [2, 1]])
        #expect(ramp.advance(to: start) == ["w": [2, 2]])
        #expect(ramp.advance(to: at(0.5)) == nil)
        #expect(ramp.advance(to: at(2)) == ["w": [2, 4]])
        #expect(ramp.isFinished)
    }

    @Test func classesInterleaveByWeight() {
        let ramp = PythonWorkerRamp(base: [:], final: ["w": [3, 1]], rate: 1, now: start)
        #expect(ramp.additions.map(\.classIndex) == [0, 0, 1, 0] || ramp.additions.map(\.classIndex) == [0, 1, 0, 0])
        #expect(ramp.counts(adding: 4) == ["w": [3, 1]])
    }

    @Test func nothingToAddIsFinishedAtOnce() {
        var ramp = PythonWorkerRamp(base: ["w": [4]], final: ["w": [4]], rate: 3, now: start)
        #expect(ramp.isFinished)
        #expect(ramp.advance(to: at(1)) == nil)
    }

    /// A non-finite or zero rate (never from the controller, which refuses them) does not trap.
    @Test(arguments: [0.0, -1, .infinity, .nan])
    func oddRatesDoNotTrap(_ rate: Double) {
        let ramp = PythonWorkerRamp(base: [:], final: ["w": [3]], rate: rate, now: start)
        #expect(ramp.due(at: at(10)) == 3)
    }
}
