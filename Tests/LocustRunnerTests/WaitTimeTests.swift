@_spi(Runner) import LocustAPI
import Testing

struct WaitTimeTests {
    @Test func constantIgnoresTaskDurationAndRandomness() {
        let wait = WaitTime.constant(2)
        #expect(wait.delay(afterTaskDuration: 0.5, unit: 0.9) == 2)
        #expect(wait.delay(afterTaskDuration: 5, unit: 0) == 2)
    }

    @Test func betweenSpansItsRange() {
        let wait = WaitTime.between(1, 3)
        #expect(wait.delay(afterTaskDuration: 0, unit: 0) == 1)
        #expect(wait.delay(afterTaskDuration: 0, unit: 0.5) == 2)
        #expect(wait.delay(afterTaskDuration: 0, unit: 0.999_999) < 3)
        #expect(WaitTime.between(3, 1) == WaitTime.between(1, 3))
    }

    @Test func pacingSubtractsTheTaskTime() {
        let wait = WaitTime.constantPacing(1)
        #expect(wait.delay(afterTaskDuration: 0.25, unit: 0) == 0.75)
        #expect(wait.delay(afterTaskDuration: 1.5, unit: 0) == 0)
    }

    @Test func throughputIsPacingOfItsInverse() {
        #expect(WaitTime.constantThroughput(4) == WaitTime.constantPacing(0.25))
        #expect(WaitTime.constantThroughput(4).delay(afterTaskDuration: 0.05, unit: 0) == 0.2)
    }

    @Test func describesItselfInLocustTerms() {
        #expect(WaitTime.between(1, 2).description == "between(1.0, 2.0)")
        #expect(WaitTime.constantPacing(3).description == "constant_pacing(3.0)")
    }

    @Test func poissonIsExponentialWithMeanOneOverRate() {
        let wait = WaitTime.poisson(2)
        #expect(wait.delay(afterTaskDuration: 0, unit: 0) == 0)
        // The median of an exponential distribution is ln 2 / rate.
        #expect(abs(wait.delay(afterTaskDuration: 0, unit: 0.5) - 0.693_147_18 / 2) < 1e-9)
        // The mean over many uniform draws is 1 / rate.
        var generator = SystemRandomNumberGenerator()
        let count = 200_000
        var sum = 0.0
        for _ in 0..<count { sum += wait.delay(afterTaskDuration: 0, unit: Double.random(in: 0..<1, using: &generator)) }
        #expect(abs(sum / Double(count) - 0.5) < 0.01)
        #expect(wait.problem == nil)
        #expect(wait.description == "poisson(2.0)")
    }

    @Test(arguments: [0.0, -1, .nan, .infinity])
    func poissonNeedsAPositiveRate(_ rate: Double) {
        #expect(WaitTime.poisson(rate).problem?.hasPrefix("poisson() requires a positive rate") == true)
        #expect(WaitTime.poisson(rate).delay(afterTaskDuration: 0, unit: 0.5) == 0)
    }

    @Test func customRunsTheScenariosClosure() {
        let wait = WaitTime.custom("think") { 4.5 }
        #expect(wait.delay(afterTaskDuration: 1, unit: 0.3) == 4.5)
        #expect(wait.description == "think()")
        #expect(wait == wait)
        #expect(wait != WaitTime.custom("think") { 4.5 }, "two closures are two wait times")
        #expect(WaitTime.custom { -3 }.delay(afterTaskDuration: 0, unit: 0) == 0)
        #expect(WaitTime.custom { .nan }.delay(afterTaskDuration: 0, unit: 0) == 0)
    }
}
