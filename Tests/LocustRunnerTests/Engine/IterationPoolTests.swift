import Testing
@testable import LocustRunner

/// The open model's pool and bound: who runs an iteration, and which iterations are dropped.
struct IterationPoolTests {
    @Test func theBoundDropsAndAFinishedIterationFreesItsPlace() {
        var pool = IterationPool<String>(classCount: 2, maxConcurrency: 2)
        guard case .create = pool.acquire(classIndex: 0), case .create = pool.acquire(classIndex: 1) else {
            Issue.record("the first two iterations make instances")
            return
        }
        guard case .drop = pool.acquire(classIndex: 0) else {
            Issue.record("a third iteration in flight is dropped")
            return
        }
        #expect(pool.inFlight == 2 && pool.instanceCount == 2)
        pool.release("a", classIndex: 0, retire: false)
        guard case .reuse(let instance) = pool.acquire(classIndex: 0) else {
            Issue.record("an idle instance of the class is lent again")
            return
        }
        #expect(instance == "a")
        #expect(pool.instanceCount == 2)
    }

    @Test func anIdleInstanceOfAnotherClassIsNotLent() {
        var pool = IterationPool<String>(classCount: 2, maxConcurrency: 5)
        _ = pool.acquire(classIndex: 0)
        pool.release("a", classIndex: 0, retire: false)
        guard case .create = pool.acquire(classIndex: 1) else {
            Issue.record("class 1 gets an instance of its own")
            return
        }
        #expect(pool.instanceCount == 2 && pool.inFlight == 1)
    }

    @Test func retiredInstancesAndFailedMakesLeaveThePool() {
        var pool = IterationPool<String>(classCount: 1, maxConcurrency: 3)
        _ = pool.acquire(classIndex: 0)
        _ = pool.acquire(classIndex: 0)
        _ = pool.acquire(classIndex: 0)
        pool.release("stopped", classIndex: 0, retire: true)
        pool.release(nil, classIndex: 0, retire: true)
        pool.release("idle", classIndex: 0, retire: false)
        #expect(pool.inFlight == 0 && pool.instanceCount == 1)
        #expect(pool.takeIdle() == ["idle"])
        #expect(pool.instanceCount == 0)
    }

    /// A schedule against a bound, as the runner drives them: 100/s for 1 s, each iteration 50 ms long,
    /// with room for 3: 5 run at once would be needed, so 2 of every 5 are dropped, and counted.
    @Test func dropsAreCountedAgainstTheSchedule() {
        var scheduler = ArrivalScheduler(schedule: ArrivalSchedule(startRate: 100), start: 0)
        var pool = IterationPool<Int>(classCount: 1, maxConcurrency: 3)
        var ending: [(at: UInt64, instance: Int)] = []
        var started = 0
        var dropped = 0
        var made = 0
        for intended in scheduler.takeDue(now: 999_999_999) {
            ending.sort { $0.at < $1.at }
            while let first = ending.first, first.at <= intended {
                pool.release(first.instance, classIndex: 0, retire: false)
                ending.removeFirst()
            }
            switch pool.acquire(classIndex: 0) {
            case .drop:
                dropped += 1
            case .reuse(let instance):
                started += 1
                ending.append((intended + 50_000_000, instance))
            case .create:
                started += 1
                made += 1
                ending.append((intended + 50_000_000, made))
            }
        }
        #expect(started + dropped == 100)
        #expect(started == 60 && dropped == 40)
        #expect(made == 3)
    }
}
