import Foundation
import LocustStats
import Testing
@testable import LocustRunner

/// The master's coordinator logic with fake peers and an injected clock: no sockets, no sleeps.
struct MasterStateMachineTests {
    /// A machine, a clock, and fake peers that speak to it.
    struct Harness {
        var machine: MasterStateMachine
        let start = ContinuousClock.now
        var elapsed = Duration.zero
        // The real wall clock at the start: snapshots taken in a test are on the same clock as the master.
        var wall = Date().timeIntervalSince1970
        let classNames: [String]

        init(classes: [(String, Int)] = [("A", 3), ("B", 1)]) {
            classNames = classes.map(\.0)
            machine = MasterStateMachine(configuration: .init(
                classes: classes.map { .init(name: $0.0, weight: $0.1) }, pluginFingerprint: "fp", equalTaskWeights: false,
                runID: "run", host: "http://127.0.0.1:1"))
        }

        var now: ContinuousClock.Instant { start + elapsed }

        @discardableResult
        mutating func feed(_ input: MasterStateMachine.Input) -> [MasterStateMachine.Command] {
            machine.handle(input, now: now, wallTime: wall)
        }

        @discardableResult
        mutating func from(_ id: String, _ message: ClusterMessage, peer: String? = nil) -> [MasterStateMachine.Command] {
            feed(.received(message, identity: Array(id.utf8), peer: peer ?? "127.0.0.1:\(40000 + id.count)"))
        }

        static func info(fingerprint: String = "fp", classes: [String] = ["A", "B"], users: Int = 0) -> ClusterMessage.SlaveInfo {
            .init(protocolVersion: ClusterProtocol.version, pluginFingerprint: fingerprint, userClasses: classes, hostname: "h", userCount: users, lagMilliseconds: 0)
        }

        /// A SwiftLocust slave says client_ready and its first heartbeat.
        @discardableResult
        mutating func join(_ id: String, fingerprint: String = "fp", classes: [String]? = nil) -> [MasterStateMachine.Command] {
            from(id, .clientReady(version: ClusterProtocol.locustVersion))
                + heartbeat(id, fingerprint: fingerprint, classes: classes)
        }

        @discardableResult
        mutating func heartbeat(_ id: String, state: String = "ready", users: Int = 0, fingerprint: String = "fp", classes: [String]? = nil) -> [MasterStateMachine.Command] {
            from(id, .heartbeat(.init(
                state: state, cpuUsage: 1, memoryUsage: 1,
                slave: Self.info(fingerprint: fingerprint, classes: classes ?? classNames, users: users))))
        }

        /// A Python Locust worker says client_ready and a plain heartbeat.
        mutating func joinPython(_ id: String) {
            from(id, .clientReady(version: "2.47.0"))
            from(id, .heartbeat(.init(state: "ready", cpuUsage: 0, memoryUsage: 0)))
        }

        /// One second after a heartbeat from each Python worker of `ids` (they send one every second).
        mutating func second(beating ids: [String]) -> [MasterStateMachine.Command] {
            for id in ids { from(id, .heartbeat(.init(state: "running", cpuUsage: 0, memoryUsage: 0))) }
            return advance(1)
        }

        mutating func advance(_ seconds: Double) -> [MasterStateMachine.Command] {
            var out: [MasterStateMachine.Command] = []
            var left = seconds
            while left > 0 {
                let step = min(1, left)
                elapsed += .seconds(step)
                wall += step
                left -= step
                out += feed(.tick)
            }
            return out
        }
    }

    static func spawns(_ commands: [MasterStateMachine.Command]) -> [String: ClusterMessage.Spawn] {
        var result: [String: ClusterMessage.Spawn] = [:]
        for case .send(.spawn(let spawn), let identity) in commands { result[String(decoding: identity, as: UTF8.self)] = spawn }
        return result
    }

    static func sent(_ commands: [MasterStateMachine.Command], to id: String) -> [ClusterMessage] {
        commands.compactMap { command in
            if case .send(let message, let identity) = command, identity == Array(id.utf8) { return message }
            return nil
        }
    }

    static func logs(_ commands: [MasterStateMachine.Command]) -> [String] {
        commands.compactMap { if case .log(_, let line) = $0 { return line } else { return nil } }
    }

    // MARK: Admission

    @Test func aSlaveCountsOnlyOnceItsHeartbeatSaysWhoItIs() {
        var harness = Harness()
        let ready = harness.from("h_1", .clientReady(version: ClusterProtocol.locustVersion))
        #expect(Self.sent(ready, to: "h_1") == [.ack(index: 0, exactReports: true)])
        #expect(harness.machine.activeSlaveCount == 0)
        let beat = harness.heartbeat("h_1")
        #expect(harness.machine.activeSlaveCount == 1)
        #expect(beat.contains(.event(.slavesChanged(active: 1))))
        #expect(Self.sent(beat, to: "h_1") == [.masterHeartbeat])
        #expect(Self.logs(beat).contains { $0.hasPrefix("Slave h_1 (h, ") && $0.hasSuffix("1 slaves connected.") })
    }

    @Test(arguments: [("other", ["A", "B"], "another build"), ("fp", ["A"], "user classes [A]")])
    func anotherPluginIsRefused(_ example: (String, [String], String)) {
        var harness = Harness()
        let out = harness.join("h_1", fingerprint: example.0, classes: example.1)
        guard case .reject(let reason)? = Self.sent(out, to: "h_1").last else {
            Issue.record("no reject in \(out)")
            return
        }
        #expect(reason.contains(example.2))
        #expect(!reason.contains("fp"), "the master's fingerprint is not told to anyone")
        #expect(harness.machine.activeSlaveCount == 0)
        #expect(harness.machine.workers.isEmpty)
    }

    @Test func aPythonWorkerJoinsAsLocust() {
        var harness = Harness()
        harness.joinPython("py_1")
        #expect(harness.machine.activeSlaveCount == 1)
        #expect(harness.machine.workers["py_1"]?.kind == .locust)
        let out = harness.feed(.start(users: 4, rate: 4, host: nil, classNames: nil))
        #expect(Self.spawns(out)["py_1"]?.counts == ["A": 3, "B": 1])
        // Its stats carry no test: merged, from Locust's buckets.
        let report = ClusterMessage.StatsReport(snapshot: .empty(startTime: 1), userCount: 4, userClassesCount: ["A": 3, "B": 1], test: nil, exact: false)
        #expect(harness.from("py_1", .stats(report)).contains(.merge(report.snapshot)))
        #expect(harness.machine.userCount(now: harness.now) == 4)
    }

    @Test func exceptionsCountOnlyFromPythonWorkers() {
        var harness = Harness()
        harness.join("h_1")
        harness.joinPython("py_1")
        #expect(harness.from("py_1", .exception(message: "boom", traceback: "t")) == [
            .recordException(message: "boom", traceback: "t", node: "py_1"),
        ])
        #expect(harness.from("h_1", .exception(message: "boom", traceback: "t")).isEmpty, "in h_1's snapshot already")
    }

    @Test func anOldWorkerIsTurnedAway() {
        var harness = Harness()
        let out = harness.from("old_1", .clientReady(version: ""))
        #expect(Self.logs(out).contains { $0.contains("pre 2.0") })
        #expect(harness.machine.workers.isEmpty)
    }

    // MARK: The open model

    @Test func theOpenModelGivesEachSwiftLocustSlaveAnEqualShareOnItsOwnClock() throws {
        var harness = Harness()
        harness.join("h_1")
        harness.join("h_2")
        harness.joinPython("py_1")
        let plan = ArrivalPlan(schedule: ArrivalSchedule(startRate: 300, stages: [.init(seconds: 10, rate: 100)]), maxConcurrency: 5)
        let out = harness.feed(.startArrivals(plan, host: nil, classNames: nil))
        let spawns = Self.spawns(out)
        #expect(spawns["py_1"] == nil, "a Python worker has no open model")
        #expect(Self.logs(out).contains { $0.contains("Python Locust worker py_1 cannot run the open model") })
        let first = try #require(spawns["h_1"]?.order?.arrival)
        let second = try #require(spawns["h_2"]?.order?.arrival)
        #expect(first.schedule == ArrivalSchedule(startRate: 150, stages: [.init(seconds: 10, rate: 50)]))
        #expect(second.schedule == first.schedule)
        #expect(first.maxConcurrency == 3 && second.maxConcurrency == 2)
        #expect(first.elapsed == 0)
        #expect(spawns["h_1"]?.counts == ["A": 0, "B": 0])
        // Running once both SwiftLocust slaves reached their orders; the Python worker is not waited for.
        harness.from("h_1", .spawningComplete(counts: [:], userCount: 0))
        let done = harness.from("h_2", .spawningComplete(counts: [:], userCount: 0))
        #expect(done.contains(.event(.spawningComplete(users: 0))))
        // A third slave 4 s in: three shares, each told how far the schedule is.
        for _ in 0..<4 {
            _ = harness.advance(1)
            harness.heartbeat("h_1", state: "running")
            harness.heartbeat("h_2", state: "running")
            harness.from("py_1", .heartbeat(.init(state: "ready", cpuUsage: 0, memoryUsage: 0)))
        }
        let joined = Self.spawns(harness.join("h_3") + harness.advance(1))
        let late = try #require(joined["h_3"]?.order?.arrival)
        #expect(late.elapsed >= 4 && late.elapsed <= 5)
        #expect(late.schedule.startRate == 100)
        #expect(joined["h_1"]?.order?.arrival?.maxConcurrency == 2)
    }

    // MARK: Dealing

    @Test func usersSpreadByWeightWithOneOrderEach() {
        var harness = Harness()
        harness.join("h_1")
        harness.join("h_2")
        let out = harness.feed(.start(users: 8, rate: 4, host: nil, classNames: nil))
        let spawns = Self.spawns(out)
        #expect(spawns["h_1"]?.counts == ["A": 3, "B": 1])
        #expect(spawns["h_2"]?.counts == ["A": 3, "B": 1])
        #expect(spawns["h_1"]?.order == .init(test: "run-1", rate: 2, equalTaskWeights: false))
        #expect(spawns["h_1"]?.host == "http://127.0.0.1:1")
        #expect(harness.machine.runState == .spawning)
        harness.from("h_1", .spawningComplete(counts: ["A": 3, "B": 1], userCount: 4))
        let done = harness.from("h_2", .spawningComplete(counts: ["A": 3, "B": 1], userCount: 4))
        #expect(harness.machine.runState == .running)
        #expect(done.contains(.event(.spawningComplete(users: 8))))
        #expect(Self.sent(done, to: "h_1") == [.masterSpawningComplete(userCount: 8)])
        #expect(Self.logs(done).contains("All users spawned: {\"A\": 6, \"B\": 2} (8 total users)"))
    }

    @Test func spawnTimestampsOnlyGrow() {
        var harness = Harness()
        harness.join("h_1")
        let first = Self.spawns(harness.feed(.start(users: 2, rate: 1, host: nil, classNames: nil)))["h_1"]?.timestamp ?? 0
        let second = Self.spawns(harness.feed(.start(users: 3, rate: 1, host: nil, classNames: nil)))["h_1"]?.timestamp ?? 0
        #expect(second > first)
    }

    /// Fault 1 (issue 12): a slave whose share drops to 0 is told 0 users (its spawner stops them at once).
    @Test func aShareOfZeroIsAnOrderOfZero() {
        var harness = Harness(classes: [("A", 1)])
        harness.join("h_1")
        harness.join("h_2")
        harness.feed(.start(users: 2, rate: 1, host: nil, classNames: nil))
        let out = harness.feed(.start(users: 1, rate: 1, host: nil, classNames: nil))
        #expect(Self.spawns(out)["h_2"]?.counts == ["A": 0])
        #expect(harness.machine.assignedCounts == ["A": 1])
    }

    @Test func aJoiningSlaveGetsItsShareAtTheNextTick() {
        var harness = Harness(classes: [("A", 1)])
        harness.join("h_1")
        harness.feed(.start(users: 6, rate: 6, host: nil, classNames: nil))
        harness.join("h_2")
        let out = harness.advance(1)
        #expect(Self.spawns(out)["h_1"]?.counts == ["A": 3])
        #expect(Self.spawns(out)["h_2"]?.counts == ["A": 3])
    }

    // MARK: Pacing Python workers

    /// Each order's total users per worker, in the order they were sent.
    static func totals(_ commands: [MasterStateMachine.Command]) -> [String: Int] {
        spawns(commands).mapValues { $0.counts.values.reduce(0, +) }
    }

    /// A Python worker answers its last order as Locust's do: `spawning`, then `spawning_complete`.
    @discardableResult
    static func answer(_ harness: inout Harness, _ id: String, _ spawn: ClusterMessage.Spawn?) -> [MasterStateMachine.Command] {
        guard let spawn else { return [] }
        harness.from(id, .spawning)
        return harness.from(id, .spawningComplete(counts: spawn.counts, userCount: spawn.counts.values.reduce(0, +)))
    }

    /// Issue 12: a Python worker starts each order's difference at once, so the master paces it as
    /// Locust's does: 10 users at 2/s are orders of 2, 4, 6, 8, 10 users, one second apart, each newer.
    @Test func aPythonWorkersShareGrowsOrderByOrder() {
        var harness = Harness(classes: [("A", 1)])
        harness.joinPython("py_1")
        var orders = [Self.spawns(harness.feed(.start(users: 10, rate: 2, host: nil, classNames: nil)))["py_1"]]
        var early: [MasterStateMachine.Command] = Self.answer(&harness, "py_1", orders[0])
        for _ in 1...4 {
            let spawn = Self.spawns(harness.second(beating: ["py_1", "py_2"]))["py_1"]
            orders.append(spawn)
            if harness.machine.pythonRamp != nil { early += Self.answer(&harness, "py_1", spawn) }
        }
        #expect(orders.map { $0?.counts["A"] } == [2, 4, 6, 8, 10])
        let times = orders.compactMap { $0?.timestamp }
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 == 1 }, "one second apart: \(times)")
        #expect(!early.contains(.event(.spawningComplete(users: 10))), "not running before the last order")
        #expect(harness.machine.runState == .spawning)
        #expect(harness.machine.pythonRamp == nil)
        let done = Self.answer(&harness, "py_1", orders[4])
        #expect(done.contains(.event(.spawningComplete(users: 10))))
        #expect(harness.machine.runState == .running)
        #expect(Self.spawns(harness.advance(2)).isEmpty, "nothing more once the target is reached")
    }

    /// Below 1 user a second, a step is 1 user every 1 / rate seconds (Locust's dispatcher).
    @Test func aSlowRampOrdersOneUserPerStep() {
        var harness = Harness(classes: [("A", 1)])
        harness.joinPython("py_1")
        var counts = [Self.totals(harness.feed(.start(users: 3, rate: 0.5, host: nil, classNames: nil)))["py_1"]]
        for _ in 1...5 { counts.append(Self.totals(harness.second(beating: ["py_1", "py_2"]))["py_1"]) }
        #expect(counts == [1, nil, 2, nil, 3, nil])
    }

    /// Two Python workers share each step, turn by turn.
    @Test func twoPythonWorkersShareEachStep() {
        var harness = Harness(classes: [("A", 1)])
        harness.joinPython("py_1")
        harness.joinPython("py_2")
        var steps = [Self.totals(harness.feed(.start(users: 10, rate: 2, host: nil, classNames: nil)))]
        for _ in 1...4 { steps.append(Self.totals(harness.second(beating: ["py_1", "py_2"]))) }
        #expect(steps == (1...5).map { ["py_1": $0, "py_2": $0] })
    }

    /// A mixed cluster: our slave gets its whole share at once with its part of the rate (it paces
    /// itself), the Python worker an order per step at its part; running once both are done.
    @Test func aMixedClusterPacesOnlyThePythonWorker() {
        var harness = Harness(classes: [("A", 1)])
        harness.join("h_1")
        harness.joinPython("py_1")
        let out = harness.feed(.start(users: 10, rate: 2, host: nil, classNames: nil))
        #expect(Self.spawns(out)["h_1"]?.counts == ["A": 5])
        #expect(Self.spawns(out)["h_1"]?.order?.rate == 1)
        var python = [Self.spawns(out)["py_1"]]
        #expect(!harness.from("h_1", .spawningComplete(counts: ["A": 5], userCount: 5)).contains(.event(.spawningComplete(users: 10))))
        Self.answer(&harness, "py_1", python[0])
        for _ in 1...4 {
            harness.heartbeat("h_1", state: "running", users: 5)
            let step = harness.second(beating: ["py_1"])
            #expect(Self.spawns(step)["h_1"] == nil, "one order for our slave")
            python.append(Self.spawns(step)["py_1"])
            if harness.machine.pythonRamp != nil { Self.answer(&harness, "py_1", python.last ?? nil) }
        }
        #expect(python.map { $0?.counts["A"] } == [1, 2, 3, 4, 5])
        #expect(harness.machine.runState == .spawning)
        let done = Self.answer(&harness, "py_1", python[4])
        #expect(done.contains(.event(.spawningComplete(users: 10))))
        #expect(Self.logs(done).contains("All users spawned: {\"A\": 10} (10 total users)"))
    }

    /// An edit during the ramp supersedes it: up, from what the worker has, at the new rate; down, at once.
    @Test func anEditDuringTheRampSupersedesIt() {
        var harness = Harness(classes: [("A", 1)])
        harness.joinPython("py_1")
        harness.feed(.start(users: 10, rate: 2, host: nil, classNames: nil))
        #expect(Self.totals(harness.second(beating: ["py_1", "py_2"]))["py_1"] == 4)
        var up = [Self.totals(harness.feed(.start(users: 7, rate: 1, host: nil, classNames: nil)))["py_1"]]
        for _ in 1...3 { up.append(Self.totals(harness.second(beating: ["py_1", "py_2"]))["py_1"]) }
        #expect(up == [5, 6, 7, nil])

        harness.feed(.start(users: 20, rate: 2, host: nil, classNames: nil))
        #expect(Self.totals(harness.second(beating: ["py_1", "py_2"]))["py_1"] == 11)
        let down = harness.feed(.start(users: 3, rate: 2, host: nil, classNames: nil))
        #expect(Self.totals(down)["py_1"] == 3, "a ramp-down is one order")
        #expect(harness.machine.pythonRamp == nil)
        #expect(Self.spawns(harness.advance(3)).isEmpty)
    }

    /// Ramping down after a finished ramp is one order too, and the test is running once it is reached.
    @Test func aRampDownIsOneOrder() {
        var harness = Harness(classes: [("A", 1)])
        harness.joinPython("py_1")
        Self.answer(&harness, "py_1", Self.spawns(harness.feed(.start(users: 4, rate: 4, host: nil, classNames: nil)))["py_1"])
        #expect(harness.machine.runState == .running)
        let down = Self.spawns(harness.feed(.start(users: 1, rate: 1, host: nil, classNames: nil)))["py_1"]
        #expect(down?.counts == ["A": 1])
        #expect(Self.spawns(harness.advance(2)).isEmpty)
        #expect(Self.answer(&harness, "py_1", down).contains(.event(.spawningComplete(users: 1))))
    }

    @Test func aStopEndsTheRamp() {
        var harness = Harness(classes: [("A", 1)])
        harness.joinPython("py_1")
        harness.feed(.start(users: 10, rate: 2, host: nil, classNames: nil))
        _ = harness.second(beating: ["py_1", "py_2"])
        #expect(Self.sent(harness.feed(.stop(stopTimeout: 0)), to: "py_1") == [.stop])
        #expect(harness.machine.pythonRamp == nil)
        #expect(Self.spawns(harness.advance(3)).isEmpty)
    }

    /// A Python worker joining during the ramp: the users still to come are dealt over both.
    @Test func aWorkerJoiningDuringTheRampTakesPartOfWhatIsLeft() {
        var harness = Harness(classes: [("A", 1)])
        harness.joinPython("py_1")
        harness.feed(.start(users: 8, rate: 2, host: nil, classNames: nil))
        harness.joinPython("py_2")
        var steps: [[String: Int]] = []
        for _ in 1...4 { steps.append(Self.totals(harness.second(beating: ["py_1", "py_2"]))) }
        // py_1 has 2 (its first step); py_2 catches up first, then both grow together, at 2/s in all.
        #expect(steps == [["py_2": 2], ["py_1": 3, "py_2": 3], ["py_1": 4, "py_2": 4], [:]])
        #expect(harness.machine.pythonRamp == nil)
    }

    // MARK: Statistics

    /// Fault 2 (issue 12): a master restarted on the same port must not merge the old test's deltas.
    @Test func aReportOfAnotherTestIsDropped() {
        var harness = Harness()
        harness.join("h_1")
        harness.feed(.start(users: 4, rate: 4, host: nil, classNames: nil))
        let stats = RequestStats(startTime: 1)
        stats.record(method: "GET", name: "/", responseTime: 1, contentLength: 1, error: nil, at: 2)
        let old = ClusterMessage.StatsReport(snapshot: stats.snapshot(), userCount: 4, userClassesCount: [:], test: "another-7")
        let out = harness.from("h_1", .stats(old))
        #expect(!out.contains { if case .merge = $0 { true } else { false } })
        #expect(Self.logs(out).contains("Dropped a statistics report of another test (another-7) from h_1: 1 requests"))
        let snapshot = stats.snapshot()
        let current = ClusterMessage.StatsReport(snapshot: snapshot, userCount: 4, userClassesCount: [:], test: "run-1")
        #expect(harness.from("h_1", .stats(current)).contains(.merge(snapshot)))
        let orphan = ClusterMessage.StatsReport(snapshot: stats.snapshot(), userCount: 4, userClassesCount: [:], test: nil)
        #expect(!harness.from("h_1", .stats(orphan)).contains { if case .merge = $0 { true } else { false } })
    }

    @Test func aNewTestHasANewName() {
        var harness = Harness()
        harness.join("h_1")
        harness.feed(.start(users: 1, rate: 1, host: nil, classNames: nil))
        harness.feed(.start(users: 2, rate: 1, host: nil, classNames: nil))
        #expect(harness.machine.currentTest == "run-1", "an edit is the same test")
        harness.feed(.stop(stopTimeout: 0))
        harness.from("h_1", .clientStopped)
        let out = harness.feed(.start(users: 1, rate: 1, host: nil, classNames: nil))
        #expect(Self.spawns(out)["h_1"]?.order?.test == "run-2")
    }

    // MARK: Silence, missing, back

    /// Fault 3 (issue 12): a silent slave's users are not shown as running while it is not yet missing.
    @Test func aSilentSlavesUsersStopCounting() {
        var harness = Harness(classes: [("A", 1)])
        harness.join("h_1")
        harness.join("h_2")
        harness.feed(.start(users: 6, rate: 6, host: nil, classNames: nil))
        harness.heartbeat("h_1", state: "running", users: 3)
        harness.heartbeat("h_2", state: "running", users: 3)
        #expect(harness.machine.userCount(now: harness.now) == 6)
        _ = harness.advance(1)
        harness.heartbeat("h_1", state: "running", users: 3)
        _ = harness.advance(1.5)
        harness.heartbeat("h_1", state: "running", users: 3)
        #expect(harness.machine.userCount(now: harness.now) == 3, "h_2 has been silent for 2.5 s")
        #expect(harness.machine.workers["h_2"]?.state != .missing)
        _ = harness.advance(0.5)
        harness.heartbeat("h_1", state: "running", users: 3)
        let out = harness.advance(1)
        #expect(harness.machine.workers["h_2"]?.state == .missing)
        #expect(Self.sent(out, to: "h_2").contains(.stop))
        #expect(Self.spawns(out)["h_1"]?.counts == ["A": 6])
        #expect(out.contains(.event(.slavesChanged(active: 1, missing: 1))))
        // Back: a heartbeat heals it, and the users are shared again at the next tick.
        let back = harness.heartbeat("h_2", state: "ready")
        #expect(Self.logs(back).contains("Slave h_2 is back"))
        harness.heartbeat("h_1", state: "running", users: 6)
        let again = harness.advance(1)
        #expect(Self.spawns(again)["h_1"]?.counts == ["A": 3])
        #expect(Self.spawns(again)["h_2"]?.counts == ["A": 3])
    }

    @Test func aLongMissingSlaveIsForgotten() {
        var harness = Harness()
        harness.join("h_1")
        let lost = harness.advance(4)
        #expect(harness.machine.workers["h_1"]?.state == .missing)
        // The controller tells "went missing" from "quit" by the missing count.
        #expect(lost.contains(.event(.slavesChanged(active: 0, missing: 1))))
        let out = harness.advance(61)
        #expect(harness.machine.workers["h_1"] == nil)
        #expect(Self.logs(out).contains { $0.contains("forgetting it") })
    }

    @Test func anUnknownPeersHeartbeatIsAskedToReconnect() {
        var harness = Harness()
        let out = harness.heartbeat("stray_1")
        #expect(Self.sent(out, to: "stray_1") == [.reconnect])
        #expect(harness.machine.workers.isEmpty)
    }

    // MARK: Leaving

    @Test func theOldConnectionOfAReconnectedSlaveIsNotItsDeparture() {
        var harness = Harness()
        harness.from("h_1", .clientReady(version: "2.47.0"), peer: "127.0.0.1:1000")
        harness.heartbeat("h_1")
        harness.from("h_1", .clientReady(version: "2.47.0"), peer: "127.0.0.1:2000")
        harness.feed(.disconnected(identity: Array("h_1".utf8), peer: "127.0.0.1:1000"))
        #expect(harness.machine.activeSlaveCount == 1)
        let out = harness.feed(.disconnected(identity: Array("h_1".utf8), peer: "127.0.0.1:2000"))
        #expect(harness.machine.activeSlaveCount == 0)
        #expect(out.contains(.event(.slavesChanged(active: 0))))
        #expect(Self.logs(out).contains("Slave h_1 left (disconnected). 0 slaves connected."))
    }

    @Test func quittingTakesTheSlaveOut() {
        var harness = Harness()
        harness.join("h_1")
        let out = harness.from("h_1", .quit)
        #expect(out.contains(.event(.slavesChanged(active: 0))))
        #expect(harness.machine.workers.isEmpty)
    }

    // MARK: Stopping

    @Test func aStopEndsWhenEverySlaveStopped() {
        var harness = Harness()
        harness.join("h_1")
        harness.joinPython("py_1")
        harness.feed(.start(users: 4, rate: 4, host: nil, classNames: nil))
        let stop = harness.feed(.stop(stopTimeout: 2))
        #expect(Self.sent(stop, to: "h_1") == [.stop])
        #expect(Self.sent(stop, to: "py_1") == [.stop])
        #expect(!stop.contains(.allStopped))
        #expect(!harness.from("h_1", .clientStopped).contains(.allStopped))
        // Ready again at once (as every worker says after its stop), before the other has stopped.
        harness.from("h_1", .clientReady(version: "2.47.0"))
        #expect(!harness.from("py_1", .clientStopped).contains(.allStopped), "a Python worker's last report is still due")
        let report = ClusterMessage.StatsReport(snapshot: .empty(startTime: 1), userCount: 0, userClassesCount: [:], test: nil, exact: false)
        #expect(harness.from("py_1", .stats(report)).contains(.allStopped))
        #expect(harness.machine.runState == .stopped)
        // Locust's workers say client_ready again after a stop: ready for the next test.
        harness.from("py_1", .clientReady(version: "2.47.0"))
        #expect(harness.machine.workerStatuses(now: harness.now).map(\.state) == [.ready, .ready])
    }

    /// A Python worker says client_stopped before its last statistics (they come with its next 3 s
    /// report): the stop waits for that report, at most 3.5 s.
    @Test func aStopWaitsForAPythonWorkersLastReport() {
        var harness = Harness()
        harness.joinPython("py_1")
        harness.feed(.start(users: 4, rate: 4, host: nil, classNames: nil))
        harness.feed(.stop(stopTimeout: 0))
        #expect(!harness.from("py_1", .clientStopped).contains(.allStopped))
        let report = ClusterMessage.StatsReport(snapshot: .empty(startTime: 1), userCount: 0, userClassesCount: [:], test: nil, exact: false)
        let out = harness.from("py_1", .stats(report))
        #expect(out.contains(.merge(report.snapshot)))
        #expect(out.contains(.allStopped))

        // And without a report, the stop ends once the wait is over.
        harness.feed(.start(users: 4, rate: 4, host: nil, classNames: nil))
        harness.feed(.stop(stopTimeout: 0))
        harness.from("py_1", .clientStopped)
        harness.heartbeat("py_2")
        #expect(!harness.advance(3).contains(.allStopped))
        #expect(harness.advance(1).contains(.allStopped))
    }

    /// Orders name only the test's classes, as a Locust master's do: a Python worker fails on a class
    /// its locustfile does not have.
    @Test func ordersNameOnlyTheTestsClasses() {
        var harness = Harness()
        harness.joinPython("py_1")
        let out = harness.feed(.start(users: 2, rate: 2, host: nil, classNames: ["B"]))
        #expect(Self.spawns(out)["py_1"]?.counts == ["B": 2])
    }

    @Test func aStopWithoutAnswerEndsAtItsDeadline() {
        var harness = Harness()
        harness.join("h_1")
        harness.feed(.start(users: 1, rate: 1, host: nil, classNames: nil))
        harness.feed(.stop(stopTimeout: 0))
        let out = harness.feed(.stopDeadlinePassed)
        #expect(out.contains(.allStopped))
        #expect(Self.logs(out).contains { $0.contains("No 'client_stopped' from h_1") })
        #expect(harness.feed(.stopDeadlinePassed).isEmpty, "once")
    }

    @Test func aStopWithNoSlavesEndsAtOnce() {
        var harness = Harness()
        #expect(harness.feed(.stop(stopTimeout: 0)).contains(.allStopped))
    }

    @Test func quitTellsEveryone() {
        var harness = Harness()
        harness.join("h_1")
        harness.joinPython("py_1")
        let out = harness.feed(.quit)
        #expect(Self.sent(out, to: "h_1") == [.quit])
        #expect(Self.sent(out, to: "py_1") == [.quit])
        #expect(!out.contains(.allGone))
        #expect(!harness.from("h_1", .quit).contains(.allGone))
        let last = harness.feed(.disconnected(identity: Array("py_1".utf8), peer: "127.0.0.1:40004"))
        #expect(last.contains(.allGone), "the master exits once every peer has gone, so that its quit frames are out")
        #expect(!last.contains(.event(.slavesChanged(active: 0))), "no rebalancing while shutting down")
    }

    @Test func quitWithNoPeersIsDoneAtOnce() {
        var harness = Harness()
        #expect(harness.feed(.quit) == [.allGone])
    }

    @Test func ordersCarryTheTagsAndAFixedCountHoldsClusterWide() {
        var harness = Harness()
        harness.machine = MasterStateMachine(configuration: .init(
            classes: [.init(name: "A", weight: 1), .init(name: "B", weight: 1, fixedCount: 3)], pluginFingerprint: "fp",
            equalTaskWeights: false, tags: ["checkout"], excludeTags: nil, runID: "run", host: nil))
        harness.join("h_1")
        harness.join("h_2")
        let spawns = Self.spawns(harness.feed(.start(users: 10, rate: 10, host: nil, classNames: nil)))
        #expect(spawns.count == 2)
        #expect(spawns.values.allSatisfy { $0.tags == ["checkout"] && $0.excludeTags == nil })
        #expect(spawns.values.map { $0.counts["B"] ?? 0 }.reduce(0, +) == 3)
        #expect(spawns.values.map { $0.counts["A"] ?? 0 }.reduce(0, +) == 7)
    }

    @Test func aSlavesFailedStartHookStopsTheTest() {
        var harness = Harness()
        harness.join("h_1")
        harness.feed(.start(users: 2, rate: 2, host: nil, classNames: nil))
        let out = harness.from("h_1", .hookFailed(message: "SeedFailed"))
        #expect(out.contains(.event(.hookFailed("on slave h_1: SeedFailed"))))
        // Outside a test it is only logged.
        var idle = Harness()
        idle.join("h_1")
        #expect(!idle.from("h_1", .hookFailed(message: "late")).contains { if case .event = $0 { true } else { false } })
    }

    @Test func aSkewedSlavesReportIsPutOnTheMastersClock() {
        var harness = Harness()
        harness.join("h_1")
        harness.feed(.start(users: 1, rate: 1, host: nil, classNames: nil))
        let test = Self.spawns(harness.feed(.tick))["h_1"]?.order?.test ?? "run-1"
        let stats = RequestStats()
        stats.record(method: "GET", name: "/", responseTime: 1, contentLength: 1, error: nil)
        let taken = stats.snapshot()
        // The slave's wall clock 180 s ahead of the harness's.
        let ahead = taken.shifted(bySeconds: Int((harness.wall + 180 - taken.takenAt).rounded()))
        let out = harness.from("h_1", .stats(.init(snapshot: ahead, userCount: 1, userClassesCount: ["A": 1], test: test, exact: true)))
        let merged = out.compactMap { command -> StatsSnapshot? in
            if case .merge(let snapshot) = command { return snapshot }
            return nil
        }
        #expect(merged.first?.takenAt == ahead.takenAt - 180)
        #expect(merged.first?.total.startTime == ahead.total.startTime - 180)
        #expect(merged.first?.total.numRequests == 1)
        #expect(out.contains(.log(.warning, "Slave h_1's clock is 180 s ahead of this master's: its statistics are put on the master's clock")))
    }

    /// A link cut for a while, then restored: the reports queued behind it arrive together, taken
    /// seconds ago on a clock that is right. They keep their times (no "clock is 14 s behind").
    @Test func reportsHeldUpByACutLinkAreLateNotSkewed() {
        var harness = Harness()
        harness.join("h_1")
        harness.feed(.start(users: 1, rate: 1, host: nil, classNames: nil))
        let test = Self.spawns(harness.feed(.tick))["h_1"]?.order?.test ?? "run-1"
        let stats = RequestStats()
        stats.record(method: "GET", name: "/", responseTime: 1, contentLength: 1, error: nil)
        let taken = stats.snapshot()
        /// A report taken `secondsAgo` before the harness's wall time, on a clock that agrees with it.
        func report(takenSecondsAgo secondsAgo: Int) -> ClusterMessage {
            let snapshot = taken.shifted(bySeconds: Int((harness.wall - Double(secondsAgo) - taken.takenAt).rounded()))
            return .stats(.init(snapshot: snapshot, userCount: 1, userClassesCount: ["A": 1], test: test, exact: true))
        }
        func merged(_ out: [MasterStateMachine.Command]) -> [StatsSnapshot] {
            out.compactMap { if case .merge(let snapshot) = $0 { snapshot } else { nil } }
        }
        // Three prompt reports, a second apart.
        for _ in 0..<3 {
            harness.heartbeat("h_1", state: "running", users: 1)
            harness.from("h_1", report(takenSecondsAgo: 0))
            harness.advance(1)
        }
        // 14 s of silence (marked missing on the way), then the queued reports all at once: the oldest
        // taken 14 s ago, the newest just now.
        harness.advance(14)
        var out: [MasterStateMachine.Command] = []
        var expected: [Double] = []
        for secondsAgo in stride(from: 14, through: 0, by: -1) {
            let message = report(takenSecondsAgo: secondsAgo)
            if case .stats(let sent) = message { expected.append(sent.snapshot.takenAt) }
            out += harness.from("h_1", message)
        }
        #expect(merged(out).map(\.takenAt) == expected)
        #expect(!out.contains { if case .log(.warning, let line) = $0 { line.contains("clock is") } else { false } })
        // A slave whose clock is off still has its reports moved, late ones included.
        var skewed = Harness()
        skewed.join("h_2")
        skewed.feed(.start(users: 1, rate: 1, host: nil, classNames: nil))
        let test2 = Self.spawns(skewed.feed(.tick))["h_2"]?.order?.test ?? "run-1"
        let ahead = taken.shifted(bySeconds: Int((skewed.wall + 180 - taken.takenAt).rounded()))
        let late = taken.shifted(bySeconds: Int((skewed.wall + 180 - 5 - taken.takenAt).rounded()))
        let first = merged(skewed.from("h_2", .stats(.init(snapshot: ahead, userCount: 1, userClassesCount: ["A": 1], test: test2, exact: true))))
        let second = merged(skewed.from("h_2", .stats(.init(snapshot: late, userCount: 1, userClassesCount: ["A": 1], test: test2, exact: true))))
        #expect(first.first?.takenAt == ahead.takenAt - 180)
        #expect(second.first?.takenAt == late.takenAt - 180)
    }

    @Test func aPeerThatAsksForThePluginIsServedWithoutBecomingASlave() {
        var harness = Harness()
        let out = harness.from("h_download_locustfile_1", .pluginRequest(version: "2.47.0"))
        #expect(out.contains(.servePlugin(to: Array("h_download_locustfile_1".utf8))))
        #expect(harness.machine.activeSlaveCount == 0)
    }
}
