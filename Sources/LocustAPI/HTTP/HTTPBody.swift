public import Foundation

/// The body of a request, with its content type.
///
/// ```swift
/// await client.post("/login", body: .form(["username": "ada", "password": "secret"]))
/// await client.post("/cart", body: try .json(CartItem(itemId: 7, quantity: 1)))
/// ```
public struct HTTPBody: Sendable, Hashable {
    /// The bytes sent.
    public var bytes: [UInt8]
    /// The `Content-Type` header sent with them, if any.
    public var contentType: String?

    /// Creates a body from bytes.
    public init(bytes: [UInt8], contentType: String? = nil) {
        self.bytes = bytes
        self.contentType = contentType
    }

    /// Raw bytes, optionally with a content type.
    public static func bytes(_ bytes: [UInt8], contentType: String? = nil) -> HTTPBody {
        HTTPBody(bytes: bytes, contentType: contentType)
    }

    /// Text, sent as UTF-8.
    public static func text(_ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPBody {
        HTTPBody(bytes: Array(text.utf8), contentType: contentType)
    }

    /// A value encoded as JSON (`application/json`).
    public static func json<T: Encodable>(_ value: T, encoder: JSONEncoder = JSONEncoder()) throws -> HTTPBody {
        HTTPBody(bytes: Array(try encoder.encode(value)), contentType: "application/json")
    }

    /// Form fields, URL-encoded (`application/x-www-form-urlencoded`), in the order given.
    public static func form(_ fields: KeyValuePairs<String, String>) -> HTTPBody {
        let encoded = fields.map { "\(FormEncoding.escape($0.key))=\(FormEncoding.escape($0.value))" }.joined(separator: "&")
        return HTTPBody(bytes: Array(encoded.utf8), contentType: "application/x-www-form-urlencoded")
    }
}

/// Percent-encoding for query strings and form bodies.
enum FormEncoding {
    /// Escapes everything but unreserved characters (RFC 3986), spaces as `+`.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out.append("+")
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
            }
        }
        return out
    }
}
