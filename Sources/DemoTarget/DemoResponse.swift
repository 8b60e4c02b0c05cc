import NIOCore
import NIOHTTP1

/// A response the router decided on: status, the headers that matter to the route, and a complete body.
///
/// `DemoHTTPHandler` adds `content-length` and `connection` when it writes the response.
struct DemoResponse: Sendable {
    /// The status code.
    var status: HTTPResponseStatus
    /// Route-specific headers such as `content-type` and `set-cookie`.
    var headers: HTTPHeaders
    /// The body; bodies are small, so they are always sent whole.
    var body: ByteBuffer

    /// A response with a `content-type` and a body already in a buffer.
    init(status: HTTPResponseStatus, contentType: String, body: ByteBuffer) {
        self.status = status
        self.headers = HTTPHeaders([("content-type", contentType)])
        self.body = body
    }

    /// A `text/plain` response.
    static func text(_ status: HTTPResponseStatus, _ text: String) -> DemoResponse {
        DemoResponse(status: status, contentType: "text/plain; charset=utf-8", body: ByteBuffer(string: text))
    }

    /// An `application/json` response whose body is already-encoded JSON text.
    static func json(_ text: String, status: HTTPResponseStatus = .ok) -> DemoResponse {
        DemoResponse(status: status, contentType: "application/json", body: ByteBuffer(string: text))
    }

    /// An `application/json` response whose body is already-encoded JSON in a buffer.
    static func json(buffer: ByteBuffer, status: HTTPResponseStatus = .ok) -> DemoResponse {
        DemoResponse(status: status, contentType: "application/json", body: buffer)
    }

    /// A JSON error body `{"error":"..."}` with the given status.
    static func error(_ status: HTTPResponseStatus, _ message: String) -> DemoResponse {
        json("{\"error\":\(JSONText.quoted(message))}", status: status)
    }

    /// Whether HTTP forbids a body for this status (1xx, 204 and 304).
    var statusForbidsBody: Bool {
        let code = status.code
        return code < 200 || code == 204 || code == 304
    }
}
