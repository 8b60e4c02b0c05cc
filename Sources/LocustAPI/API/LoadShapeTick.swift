/// What a ``LoadShape`` says for one second of a test: Locust's `(user_count, spawn_rate, user_classes)`.
public struct LoadShapeTick: Sendable, Equatable {
    /// The users that should run (across the cluster on a master).
    public var users: Int
    /// Users started (or stopped) per second to get there.
    public var spawnRate: Double
    /// The classes to run; nil: those of the test.
    public var userClasses: [String]?

    /// Creates a tick.
    public init(users: Int, spawnRate: Double, userClasses: [String]? = nil) {
        self.users = users
        self.spawnRate = spawnRate
        self.userClasses = userClasses
    }
}
