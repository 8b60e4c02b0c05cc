import LocustAPI
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
}
