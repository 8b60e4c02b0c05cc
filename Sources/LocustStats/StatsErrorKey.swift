/// The key of a ``StatsError``: method, name and error message.
struct StatsErrorKey: Hashable, Sendable {
    let method: String
    let name: String
    let error: String
}
