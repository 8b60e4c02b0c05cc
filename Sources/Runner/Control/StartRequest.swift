/// What a start asks for: the web UI's form or `POST /swarm`, or the headless command line's `-u/-r/-t`.
public struct StartRequest: Sendable, Equatable {
    /// Peak users, across the cluster on a master.
    public var users: Int
    /// Users started (or stopped) per second.
    public var spawnRate: Double
    /// The target; nil keeps the current one (`--host`, or each class's own).
    public var host: String?
    /// The classes to run; nil runs every selectable class.
    public var userClasses: [String]?
    /// Stop after this long; nil runs until stopped. A new value replaces the running timer.
    public var runTime: Duration?
    /// Values of the scenario's own options (the web form's "Custom parameters"), over the command
    /// line's; nil keeps them. Applied when a test starts, not by an edit.
    public var scenarioOptions: [String: String]?
    /// The open model (`--arrival-rate`, `--arrival-stages`): iterations on a schedule instead of users;
    /// `users` and `spawnRate` are then not used. Nil: Locust's closed model.
    public var arrival: ArrivalPlan?

    /// Creates a request.
    public init(
        users: Int, spawnRate: Double, host: String? = nil, userClasses: [String]? = nil, runTime: Duration? = nil,
        scenarioOptions: [String: String]? = nil, arrival: ArrivalPlan? = nil
    ) {
        self.arrival = arrival
        self.users = users
        self.spawnRate = spawnRate
        self.host = host
        self.userClasses = userClasses
        self.runTime = runTime
        self.scenarioOptions = scenarioOptions
    }
}

/// Why a start was refused; the message is the one line a user sees (form, `/swarm`, console).
public struct StartRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason, in words.
    public var message: String

    /// Creates a refusal.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
