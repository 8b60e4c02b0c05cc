internal import Foundation

/// A user's cookies: filled from `Set-Cookie` headers, sent back as one `Cookie` header.
///
/// Matching follows RFC 6265 where load tests need it: domain (exact or subdomain), path prefix,
/// `Max-Age`/`Expires` deletion. A jar belongs to one user.
struct CookieJar: Sendable {
    struct Cookie: Sendable, Hashable {
        var name: String
        var value: String
        var domain: String
        var path: String
        var hostOnly: Bool
    }

    private(set) var cookies: [Cookie] = []

    var isEmpty: Bool { cookies.isEmpty }

    /// The `Cookie` header for a request to `url`, nil when no cookie matches.
    func header(for url: String) -> String? {
        if cookies.isEmpty { return nil }
        let (host, path) = CookieJar.hostAndPath(url)
        var parts: [String] = []
        for cookie in cookies where CookieJar.matches(cookie, host: host, path: path) {
            parts.append("\(cookie.name)=\(cookie.value)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// Reads every `Set-Cookie` header of a response to `url`.
    mutating func store(headerBytes: [UInt8], url: String) {
        // Cheap scan: most responses carry no Set-Cookie header.
        guard CookieJar.containsSetCookie(headerBytes) else { return }
        let (host, _) = CookieJar.hostAndPath(url)
        let text = String(decoding: headerBytes, as: UTF8.self)
        for line in text.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
            guard line.lowercased().hasPrefix("set-cookie:") else { continue }
            store(setCookie: line.dropFirst("set-cookie:".count), host: host)
        }
    }

    mutating func store(setCookie: Substring, host: String) {
        let attributes = setCookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = attributes.first, let equals = first.firstIndex(of: "=") else { return }
        let name = String(first[..<equals])
        let value = String(first[first.index(after: equals)...])
        guard !name.isEmpty else { return }
        var cookie = Cookie(name: name, value: value, domain: host, path: "/", hostOnly: true)
        var expired = false
        for attribute in attributes.dropFirst() {
            let pair = attribute.split(separator: "=", maxSplits: 1).map(String.init)
            let key = pair[0].lowercased()
            let argument = pair.count > 1 ? pair[1] : ""
            switch key {
            case "domain" where !argument.isEmpty:
                cookie.domain = argument.hasPrefix(".") ? String(argument.dropFirst()).lowercased() : argument.lowercased()
                cookie.hostOnly = false
            case "path" where argument.hasPrefix("/"):
                cookie.path = argument
            case "max-age":
                if let seconds = Int(argument), seconds <= 0 { expired = true }
            case "expires":
                if let date = CookieJar.parseDate(argument), date < Date() { expired = true }
            default:
                break
            }
        }
        cookies.removeAll { $0.name == cookie.name && $0.domain == cookie.domain && $0.path == cookie.path }
        if !expired { cookies.append(cookie) }
    }

    mutating func removeAll() { cookies.removeAll() }

    static func matches(_ cookie: Cookie, host: String, path: String) -> Bool {
        let domainOK = cookie.hostOnly
            ? host == cookie.domain
            : host == cookie.domain || host.hasSuffix("." + cookie.domain)
        guard domainOK else { return false }
        if cookie.path == "/" || path == cookie.path { return true }
        return path.hasPrefix(cookie.path.hasSuffix("/") ? cookie.path : cookie.path + "/")
    }

    /// The lower-cased host (no port) and the path of an absolute URL.
    static func hostAndPath(_ url: String) -> (String, String) {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = authority
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = host[...close]
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        var path = rest[authorityEnd...]
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        return (host.lowercased(), path.isEmpty ? "/" : String(path))
    }

    private static let setCookieNeedle: [UInt8] = Array("set-cookie:".utf8)

    static func containsSetCookie(_ bytes: [UInt8]) -> Bool {
        // Looks for "\nset-cookie:" without regard to case; called for every response.
        let needle = setCookieNeedle
        if bytes.count < needle.count + 1 { return false }
        return bytes.withUnsafeBufferPointer { bytes in
            var i = 0
            let last = bytes.count - needle.count
            while i < last {
                if bytes[i] == UInt8(ascii: "\n") && (bytes[i + 1] | 0x20) == UInt8(ascii: "s") {
                    var j = 1
                    while j < needle.count && (bytes[i + 1 + j] | 0x20) == needle[j] { j += 1 }
                    if j == needle.count { return true }
                }
                i += 1
            }
            return false
        }
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEE, dd-MMM-yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
