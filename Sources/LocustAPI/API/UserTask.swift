/// A weighted task of a user class, like a `@task(weight)` method in Locust.
///
/// ```swift
/// static let tasks: [UserTask<ShopUser>] = [
///     UserTask("browse", weight: 3) { try await $0.browse() },
///     UserTask("buy") { try await $0.buy() },
/// ]
/// ```
public struct UserTask<U: User>: Sendable {
    /// The task's name (shown by `locust --list` and in exception locations).
    public let name: String
    /// How often it is picked relative to the user's other tasks.
    public let weight: Int
    /// The work, run on the user instance. `@concurrent`: scenario code, built without
    /// `NonisolatedNonsendingByDefault`, passes its user to it freely.
    public let run: @concurrent @Sendable (U) async throws -> Void

    /// Creates a task. A weight of 0 disables it.
    public init(_ name: String, weight: Int = 1, _ run: @escaping @concurrent @Sendable (U) async throws -> Void) {
        self.name = name
        self.weight = max(0, weight)
        self.run = run
    }
}
