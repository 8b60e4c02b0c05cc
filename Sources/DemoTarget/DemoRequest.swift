import NIOCore
import NIOHTTP1

/// One complete HTTP request as the router sees it: the head, the path and query split apart, and the body.
struct DemoRequest {
    /// The request line and headers as NIO decoded them.
    let head: HTTPRequestHead
    /// The path part of the request target, without the query (`/items/3` for `/items/3?x=1`).
    let path: String
    /// The query part of the request target without the `?`, or `nil` when there is none.
    let query: Substring?
    /// The body, or `nil` when the request had none.
    let body: ByteBuffer?

    /// Splits the request target of `head` into path and query.
    init(head: HTTPRequestHead, body: ByteBuffer?) {
        self.head = head
        self.body = body
        let uri = head.uri
        if let questionMark = uri.firstIndex(of: "?") {
            self.path = String(uri[..<questionMark])
            self.query = uri[uri.index(after: questionMark)...]
        } else {
            self.path = uri
            self.query = nil
        }
    }

    /// The request method.
    var method: HTTPMethod { head.method }

    /// The first value of the query parameter `name`, decoded, or `nil` when it is absent.
    func queryValue(_ name: String) -> String? {
        guard let query else { return nil }
        return FormURLDecoder.value(of: name, in: query)
    }

    /// The `session` cookie's value, or `nil` when the request carries none.
    var sessionToken: String? {
        for header in head.headers["cookie"] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop(while: { $0 == " " || $0 == "\t" })
                if trimmed.hasPrefix("session=") {
                    let value = trimmed.dropFirst("session=".count)
                    return value.isEmpty ? nil : String(value)
                }
            }
        }
        return nil
    }

    /// The body as a string, or an empty string when there is none.
    var bodyText: String {
        guard let body else { return "" }
        return String(buffer: body)
    }
}
