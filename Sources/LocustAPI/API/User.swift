/// A simulated user: a class whose instances each run their weighted tasks in a loop, waiting between
/// them, until the test stops them, like a Locust `HttpUser`.
///
/// Each instance has its own state and its own ``HTTPClient`` (cookies, keep-alive connections) and
/// runs in its own task, so its stored properties need no locks.
///
/// ```swift
/// import LocustAPI
///
/// final class ShopUser: User {
///     static let weight = 3
///     static let waitTime = WaitTime.between(1, 2)
///     static let tasks: [UserTask<ShopUser>] = [
///         UserTask("index", weight: 2) { await $0.client.get("/") },
///         UserTask("item") { await $0.client.get("/items/\(Int.random(in: 1...100))", name: "/items/[id]") },
///     ]
///
///     let context: UserContext
///     init(context: UserContext) { self.context = context }
///
///     func onStart() async throws {
///         await client.post("/login", body: .form(["username": "ada", "password": "secret"]))
///     }
/// }
/// ```
public protocol User: AnyObject, SendableMetatype {
    /// How many of this class are spawned relative to the other classes (default 1).
    static var weight: Int { get }
    /// An exact number of users of this class, taken before the weighted classes share the rest
    /// (Locust's `fixed_count`; default 0: by weight). Cluster-wide on a master.
    static var fixedCount: Int { get }
    /// The host for this class, used when `--host` is not given (default nil).
    static var host: String? { get }
    /// The wait between two tasks (default: none).
    static var waitTime: WaitTime { get }
    /// The tasks, picked at random by weight; a task may be a nested set
    /// (``UserTask/set(_:weight:tags:waitTime:onStart:onStop:tasks:)``) or a sequence.
    static var tasks: [UserTask<Self>] { get }
    /// Settings of each user's HTTP client.
    static var httpOptions: HTTPClientOptions { get }

    /// The user's context: its HTTP client, its id, a way to report custom requests.
    var context: UserContext { get }

    /// Creates a user; the runner calls it once per simulated user.
    init(context: UserContext)

    /// Runs once when the user starts, before its first task (log in here).
    @concurrent func onStart() async throws
    /// Runs once when the user stops (log out here).
    @concurrent func onStop() async throws
}

extension User {
    public static var weight: Int { 1 }
    public static var fixedCount: Int { 0 }
    public static var host: String? { nil }
    public static var waitTime: WaitTime { .constant(0) }
    public static var httpOptions: HTTPClientOptions { HTTPClientOptions() }
    @concurrent public func onStart() async throws {}
    @concurrent public func onStop() async throws {}

    /// The user's HTTP client, `context.client`.
    public var client: HTTPClient { context.client }
}
