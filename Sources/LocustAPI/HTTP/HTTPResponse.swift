public import Foundation

/// The outcome of one request: a response, or the transport error that prevented one.
///
/// ```swift
/// let response = await client.get("/items")
/// if response.ok, let items = try? response.json([Item].self) { ... }
/// ```
public struct HTTPResponse: Sendable {
    /// The method sent.
    public let method: HTTPMethod
    /// The URL requested.
    public let url: String
    /// The HTTP status; 0 when no response arrived (see ``error``).
    public let status: Int
    /// The body, decoded from any content encoding.
    public let body: [UInt8]
    /// The transport error (refused, timeout, DNS, TLS), nil when a response arrived.
    public let error: String?
    /// The time from sending the request to receiving the whole response.
    public let elapsed: Duration
    /// The failure message recorded in statistics, nil when the request counted as a success.
    public internal(set) var failure: String?
    let rawHeaders: [UInt8]

    /// True when a response arrived with a status below 400.
    public var ok: Bool { error == nil && status > 0 && status < 400 }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Decodes the body as JSON.
    public func json<T: Decodable>(_ type: T.Type = T.self, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(T.self, from: Data(body))
    }

    /// The reason phrase of the status line (`"Not Found"`), or a standard one for HTTP/2.
    public var reason: String {
        if let line = headerLines.first {
            let parts = line.split(separator: " ", maxSplits: 2)
            if parts.count == 3 { return String(parts[2]) }
        }
        return HTTPResponse.standardReason(status)
    }

    /// All response headers in order, names as sent.
    public var headers: [(name: String, value: String)] {
        headerLines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            return (String(line[..<colon]), value)
        }
    }

    /// The first value of a header, matched without regard to case.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    private var headerLines: [Substring] {
        let text = String(decoding: rawHeaders, as: UTF8.self)
        return text.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }).filter { !$0.isEmpty }
    }

    static func standardReason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}
