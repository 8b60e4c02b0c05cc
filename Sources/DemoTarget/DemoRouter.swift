import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Maps each request of the demo shop to its response; shared by all connections and threads.
///
/// Routes: `GET /`, `POST /login`, `POST /logout`, `GET /items`, `GET /items/{id}`, `GET|POST /cart`,
/// `GET /slow?ms=N`, `GET /stall?ms=N` (every response waits until N ms later), `GET /redirect?to=/path`, `GET /bytes?n=N`, `/status/{code}` (any method),
/// `GET /stats`; anything else is 404.
/// `HEAD` is answered like `GET`, without the body.
struct DemoRouter: Sendable {
    /// The router's decision for one request.
    struct Result: Sendable {
        /// The route that answered, for the statistics.
        var endpoint: DemoEndpoint
        /// The response to send.
        var response: DemoResponse
        /// How long to wait before sending it (`/slow`), or `nil` to send it at once.
        var delay: TimeAmount?
    }

    /// The password every user must log in with.
    static let password = "secret"
    /// The delay of `/slow` without `ms`.
    static let defaultSlowMilliseconds: Int64 = 100
    /// The longest delay `/slow` accepts.
    static let maximumSlowMilliseconds: Int64 = 60_000

    /// The items for sale.
    let catalog: ShopCatalog
    /// The logged-in sessions and their carts.
    let sessions: SessionStore
    /// The counters `/stats` reports.
    let statistics: RequestStatistics
    /// The body of `GET /`.
    let homePage: ByteBuffer
    /// `GET /stall`'s switch.
    let stallSwitch = StallSwitch()
    /// The longest stall `/stall` accepts.
    static let maximumStallMilliseconds: Int64 = 60_000

    /// Creates a router over the given state.
    init(catalog: ShopCatalog, sessions: SessionStore, statistics: RequestStatistics) {
        self.catalog = catalog
        self.sessions = sessions
        self.statistics = statistics
        self.homePage = ByteBuffer(string: Self.homePageHTML)
    }

    /// Decides the response to `request`: while a `/stall` is on, every response but `/stall`'s and
    /// `/stats`' waits until it ends (or longer, for a `/slow` that takes longer).
    func route(_ request: DemoRequest) -> Result {
        var result = plainRoute(request)
        if result.endpoint != .stats && result.endpoint != .stall, let remaining = stallSwitch.remaining() {
            result.delay = max(result.delay ?? .zero, remaining)
        }
        return result
    }

    private func plainRoute(_ request: DemoRequest) -> Result {
        let method = request.method == .HEAD ? HTTPMethod.GET : request.method
        let path = request.path
        switch (method, path) {
        case (.GET, "/"):
            return Result(endpoint: .home, response: DemoResponse(status: .ok, contentType: "text/html; charset=utf-8", body: homePage))
        case (.POST, "/login"):
            return Result(endpoint: .login, response: login(request))
        case (.POST, "/logout"):
            return Result(endpoint: .logout, response: logout(request))
        case (.GET, "/items"):
            return Result(endpoint: .itemList, response: .json(buffer: catalog.listBody))
        case (.GET, "/cart"):
            return Result(endpoint: .cart, response: showCart(request))
        case (.POST, "/cart"):
            return Result(endpoint: .cart, response: addToCart(request))
        case (.GET, "/slow"):
            return slow(request)
        case (.GET, "/stall"):
            return stall(request)
        case (.GET, "/bytes"):
            return Result(endpoint: .bytes, response: bytes(request))
        case (.GET, "/redirect"):
            return Result(endpoint: .redirect, response: redirect(request))
        case (.GET, "/stats"):
            return Result(endpoint: .stats, response: .json(statistics.json()))
        default:
            break
        }
        if method == .GET, path.hasPrefix("/items/") {
            return Result(endpoint: .item, response: item(idText: path.dropFirst("/items/".count)))
        }
        if path.hasPrefix("/status/") {
            return Result(endpoint: .status, response: status(codeText: path.dropFirst("/status/".count)))
        }
        return Result(endpoint: .unmatched, response: .error(.notFound, "not found"))
    }

    /// `POST /login`: form body `username=..&password=..`; the password must be `secret`.
    private func login(_ request: DemoRequest) -> DemoResponse {
        let form = FormURLDecoder.pairs(in: Substring(request.bodyText))
        let username = form.first(where: { $0.name == "username" })?.value ?? ""
        let password = form.first(where: { $0.name == "password" })?.value
        guard !username.isEmpty, password == Self.password else {
            return .error(.unauthorized, "invalid username or password")
        }
        let token = sessions.create(username: username)
        var response = DemoResponse.json("{\"username\":\(JSONText.quoted(username))}")
        response.headers.add(name: "set-cookie", value: "session=\(token); Path=/")
        return response
    }

    /// `POST /logout`: forgets the session (if any) and tells the client to drop the cookie.
    private func logout(_ request: DemoRequest) -> DemoResponse {
        if let token = request.sessionToken { sessions.remove(token: token) }
        var response = DemoResponse.json("{\"loggedOut\":true}")
        response.headers.add(name: "set-cookie", value: "session=; Path=/; Max-Age=0")
        return response
    }

    /// `GET /cart`: `{"items":N}` for the session, 401 without one.
    private func showCart(_ request: DemoRequest) -> DemoResponse {
        guard let token = request.sessionToken, let session = sessions.session(for: token) else {
            return .error(.unauthorized, "login required")
        }
        return .json("{\"items\":\(session.cartQuantity)}")
    }

    /// `POST /cart`: adds `{"itemId":Int,"quantity":Int}` to the session's cart and answers the new
    /// total quantity as `{"items":N}`; 401 without a session, 400 on a malformed body or a quantity
    /// outside 1...1000, 404 for an unknown item.
    private func addToCart(_ request: DemoRequest) -> DemoResponse {
        guard let token = request.sessionToken, sessions.session(for: token) != nil else {
            return .error(.unauthorized, "login required")
        }
        guard let body = request.body,
            let addition = try? JSONDecoder().decode(CartAddition.self, from: Data(body.readableBytesView))
        else {
            return .error(.badRequest, "expected JSON {\"itemId\":Int,\"quantity\":Int}")
        }
        guard (1...CartAddition.maximumQuantity).contains(addition.quantity) else {
            return .error(.badRequest, "quantity must be 1...\(CartAddition.maximumQuantity)")
        }
        guard catalog.contains(itemID: addition.itemId) else {
            return .error(.notFound, "no such item")
        }
        guard let total = sessions.addToCart(token: token, quantity: addition.quantity) else {
            // The session was logged out between the two look-ups.
            return .error(.unauthorized, "login required")
        }
        return .json("{\"items\":\(total)}")
    }

    /// `GET /items/{id}`: the item for 1...1000, 404 otherwise.
    private func item(idText: Substring) -> DemoResponse {
        guard let id = Int(idText), let body = catalog.body(ofItem: id) else {
            return .error(.notFound, "no such item")
        }
        return .json(buffer: body)
    }

    /// `GET /slow?ms=N`: answers after N milliseconds (default 100, at most 60000); 400 for a bad `ms`.
    private func slow(_ request: DemoRequest) -> Result {
        var milliseconds = Self.defaultSlowMilliseconds
        if let text = request.queryValue("ms") {
            guard let value = Int64(text), (0...Self.maximumSlowMilliseconds).contains(value) else {
                return Result(endpoint: .slow, response: .error(.badRequest, "ms must be 0...\(Self.maximumSlowMilliseconds)"))
            }
            milliseconds = value
        }
        return Result(
            endpoint: .slow,
            response: .json("{\"sleptMs\":\(milliseconds)}"),
            delay: .milliseconds(milliseconds)
        )
    }

    /// `GET /stall?ms=N` (default 1000): every response for N ms from now waits until then; answered at once.
    private func stall(_ request: DemoRequest) -> Result {
        var milliseconds: Int64 = 1000
        if let text = request.queryValue("ms") {
            guard let value = Int64(text), (0...Self.maximumStallMilliseconds).contains(value) else {
                return Result(endpoint: .stall, response: .error(.badRequest, "ms must be 0...\(Self.maximumStallMilliseconds)"))
            }
            milliseconds = value
        }
        stallSwitch.stall(milliseconds: milliseconds)
        return Result(endpoint: .stall, response: .json("{\"stallMs\":\(milliseconds)}"))
    }

    /// The longest body `/bytes` sends.
    static let maximumBytes = 8 << 20

    /// `GET /bytes?n=N`: N bytes of `0123456789abcdef` repeated (byte i is the i % 16th), so that a
    /// client can check a large body byte for byte; 400 for N outside 0...8 MiB.
    private func bytes(_ request: DemoRequest) -> DemoResponse {
        guard let text = request.queryValue("n"), let count = Int(text), (0...Self.maximumBytes).contains(count) else {
            return .error(.badRequest, "n must be 0...\(Self.maximumBytes)")
        }
        let pattern = Array("0123456789abcdef".utf8)
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            for index in 0..<count { raw[index] = pattern[index & 15] }
            return count
        }
        return DemoResponse(status: .ok, contentType: "application/octet-stream", body: buffer)
    }

    /// `GET /redirect?to=/path`: 302 to that path of this server; 400 without a path.
    private func redirect(_ request: DemoRequest) -> DemoResponse {
        guard let target = request.queryValue("to"), target.hasPrefix("/"), !target.hasPrefix("//") else {
            return .error(.badRequest, "to must be a path of this server")
        }
        var response = DemoResponse.text(.found, "see \(target)\n")
        response.headers.add(name: "location", value: target)
        return response
    }

    /// `/status/{code}`: a response with that status (200...599) and a short text body; 400 otherwise.
    private func status(codeText: Substring) -> DemoResponse {
        guard let code = Int(codeText), (200...599).contains(code) else {
            return .error(.badRequest, "status code must be 200...599")
        }
        let status = HTTPResponseStatus(statusCode: code)
        return .text(status, "status \(code)\n")
    }

    /// The page `GET /` serves (about 1 KB).
    static let homePageHTML = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>SwiftLocust demo shop</title>
        <style>body{font-family:sans-serif;max-width:40em;margin:2em auto}code{background:#eee}</style>
        </head>
        <body>
        <h1>SwiftLocust demo shop</h1>
        <p>A tiny shop for load tests. Everything is kept in memory and forgotten on exit.</p>
        <ul>
        <li><code>POST /login</code> with <code>username=NAME&amp;password=secret</code> sets a session cookie</li>
        <li><code>GET /items</code> lists 20 items; <code>GET /items/{id}</code> shows one of 1000</li>
        <li><code>POST /cart</code> with <code>{"itemId":1,"quantity":2}</code> adds to your cart</li>
        <li><code>GET /cart</code> counts it; <code>POST /logout</code> ends the session</li>
        <li><code>GET /slow?ms=250</code> answers late; <code>GET /status/503</code> answers any status</li>
        <li><code>GET /stats</code> counts the requests served so far</li>
        </ul>
        <form method="post" action="/login">
        <input name="username" placeholder="username">
        <input name="password" type="password" placeholder="password">
        <button>Log in</button>
        </form>
        </body>
        </html>

        """
}
