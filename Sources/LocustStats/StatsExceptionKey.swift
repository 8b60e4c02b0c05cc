/// The key of a ``StatsException``: its message and location.
struct StatsExceptionKey: Hashable, Sendable {
    let message: String
    let location: String
}
