/// An HTTP request method.
///
/// ```swift
/// await client.request(.patch, "/items/1", body: try .json(["price": 3]))
/// ```
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
    case head = "HEAD"
    case options = "OPTIONS"
}
