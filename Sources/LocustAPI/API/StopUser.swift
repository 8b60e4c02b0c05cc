/// Thrown from a task or `onStart` to stop this user, like Locust's `raise StopUser()`.
///
/// The user's `onStop` runs, and the user is not restarted.
///
/// ```swift
/// func checkout() async throws {
///     guard await client.post("/checkout").ok else { throw StopUser() }
/// }
/// ```
public struct StopUser: Error, Sendable {
    /// Creates the error.
    public init() {}
}
