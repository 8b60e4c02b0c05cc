/// A start request checked against the controller's classes: the per-class user counts to run.
struct StartPlan: Equatable {
    /// Most users one test may ask for; more would exhaust memory before they run (about 10 KiB each).
    static let maxUsers = 1_000_000

    var users: Int
    /// Users per class, in the controller's class order (0 for classes not chosen).
    var counts: [Int]
    var host: String?
    var classNames: [String]
    /// The chosen classes' weights, in the controller's class order (0 for classes not chosen): how the
    /// open model picks a class for each iteration (fixed counts do not apply to it).
    var weights: [Int] = []

    /// Checks `request`; `current` supplies the host when the request gives none.
    static func make(
        _ request: StartRequest, classes: [LocalRunController.ClassInfo], current: RunStatus
    ) throws(StartRefusal) -> StartPlan {
        guard request.users >= 0 else {
            throw StartRefusal("Invalid user_count value: \(request.users) (must be 0 or more)")
        }
        guard request.users <= maxUsers else {
            throw StartRefusal("Invalid user_count value: \(request.users) (at most \(maxUsers) users per test)")
        }
        guard request.spawnRate.isFinite, request.spawnRate > 0 else {
            throw StartRefusal("Invalid spawn_rate value: \(request.spawnRate) (must be more than 0)")
        }
        let known = classes.map(\.name)
        let chosen: [String]
        if let names = request.userClasses {
            guard !names.isEmpty else { throw StartRefusal("No user class selected: choose at least one") }
            for name in names where !known.contains(name) {
                throw StartRefusal("Unknown user class '\(name)': available are \(known.joined(separator: ", "))")
            }
            chosen = known.filter { names.contains($0) }
        } else {
            // An edit (a start while running) keeps the running test's classes; a new test runs them all.
            chosen = current.state.isActive ? current.userClasses : known
        }
        var host = current.host
        if let given = request.host, !given.isEmpty {
            do {
                try RunSettings.validate(url: given)
            } catch {
                throw StartRefusal("\(error)".replacingOccurrences(of: "--host", with: "host"))
            }
            host = given
        }
        if host == nil, let missing = classes.first(where: { chosen.contains($0.name) && $0.host == nil }) {
            throw StartRefusal("No host for \(missing.name): give a host (http://...) or set `static let host` in the class")
        }
        let weights = classes.map { chosen.contains($0.name) ? $0.weight : 0 }
        let fixed = classes.map { chosen.contains($0.name) ? $0.fixedCount : 0 }
        if let arrival = request.arrival {
            guard weights.contains(where: { $0 > 0 }) else {
                throw StartRefusal("The chosen user classes all have weight 0: the open model picks each iteration's class by weight")
            }
            guard arrival.maxConcurrency >= 1 else {
                throw StartRefusal("Invalid max_concurrency value: \(arrival.maxConcurrency) (must be 1 or more)")
            }
            guard arrival.schedule.startRate.isFinite, arrival.schedule.startRate >= 0,
                arrival.schedule.startRate > 0 || !arrival.schedule.stages.isEmpty
            else {
                throw StartRefusal("Invalid arrival_rate value: \(arrival.schedule.startRate) (must be more than 0)")
            }
            return StartPlan(users: 0, counts: classes.map { _ in 0 }, host: host, classNames: chosen, weights: weights)
        }
        guard weights.contains(where: { $0 > 0 }) || fixed.contains(where: { $0 > 0 }) || request.users == 0 else {
            throw StartRefusal("The chosen user classes all have weight 0")
        }
        return StartPlan(
            users: request.users, counts: UserDistribution.counts(total: request.users, weights: weights, fixed: fixed), host: host,
            classNames: chosen, weights: weights)
    }
}
