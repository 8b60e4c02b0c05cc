/// What a validation closure decides about a response, like Locust's `catch_response`.
///
/// ```swift
/// await client.get("/items/0", name: "/items/[id]") { response in
///     response.status == 404 ? .success : .failure("expected 404, got \(response.status)")
/// }
/// ```
public enum ResponseVerdict: Sendable, Hashable {
    /// The default rule: a transport error or a status of 400 or more is a failure.
    case automatic
    /// A success, whatever the status.
    case success
    /// A failure, with the message that statistics group failures by.
    case failure(String)
}
