/// A load shape, like Locust's `LoadTestShape`: every second of a test the runner asks it how many
/// users should run, how fast to get there and optionally which classes, or whether the test is over.
///
/// ```swift
/// // 10 users for a minute, 50 for the next, then stop.
/// let burst = LoadShape("burst") { elapsed in
///     switch elapsed {
///     case ..<60: LoadShapeTick(users: 10, spawnRate: 10)
///     case ..<120: LoadShapeTick(users: 50, spawnRate: 10, userClasses: ["Buyer"])
///     default: nil
///     }
/// }
/// LocustPlugin.export(Browser.self, Buyer.self, shapes: [burst, .steps("steps", users: 10, every: 30, upTo: 100)])
/// ```
///
/// A plugin with one shape runs it whenever a test starts (as Locust uses a locustfile's only shape);
/// with several, `--shape NAME` picks one. The shape then drives headless runs, the web UI's start
/// button and a master's whole cluster; `-u` and `-r` are not used.
public struct LoadShape: Sendable {
    /// The shape's name, for `--shape` and the log.
    public let name: String
    let tick: @Sendable (Double) -> LoadShapeTick?

    /// Creates a shape from a function of the seconds since the test started (0, 1, 2, ...); nil ends
    /// the test.
    public init(_ name: String, tick: @escaping @Sendable (_ elapsed: Double) -> LoadShapeTick?) {
        self.name = name
        self.tick = tick
    }

    /// A step load (Locust 1.x's `--step-load`): `users` more users every `seconds`, started within the
    /// step's first second, up to `maximum`; the test ends after `duration` seconds (nil: when stopped).
    public static func steps(_ name: String, users: Int, every seconds: Double, upTo maximum: Int, for duration: Double? = nil) -> LoadShape {
        let step = max(1, users)
        let length = max(0.001, seconds)
        return LoadShape(name) { elapsed in
            if let duration, elapsed >= duration { return nil }
            let count = min(max(0, maximum), step * (Int(elapsed / length) + 1))
            return LoadShapeTick(users: count, spawnRate: Double(step))
        }
    }

    /// What the shape says `elapsed` seconds into the test.
    @_spi(Runner) public func at(_ elapsed: Double) -> LoadShapeTick? {
        tick(elapsed)
    }
}
