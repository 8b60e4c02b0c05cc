/// The routes of the demo shop, used to name requests in `/stats`.
enum DemoEndpoint: String, Hashable, Sendable, CaseIterable {
    case home = "/"
    case login = "/login"
    case logout = "/logout"
    case itemList = "/items"
    case item = "/items/{id}"
    case cart = "/cart"
    case slow = "/slow"
    case stall = "/stall"
    case redirect = "/redirect"
    case bytes = "/bytes"
    case status = "/status/{code}"
    case stats = "/stats"
    /// Any request no route matched (answered 404).
    case unmatched = "(unmatched)"

    /// The route's pattern, e.g. `/items/{id}`.
    var pattern: String { rawValue }
}
