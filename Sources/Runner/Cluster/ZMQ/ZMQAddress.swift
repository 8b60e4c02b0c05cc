import Glibc

/// Addresses between the user's form (`host`, `port`, `127.0.0.1:54321`) and libzmq's.
enum ZMQAddress {
    /// libzmq's endpoint for `host:port`, and whether the socket needs `ZMQ_IPV6`.
    ///
    /// `*` (or an empty host) is every interface, dual-stack (`ZMQ_IPV6` on; libzmq falls back to
    /// IPv4 where IPv6 is unavailable), as Locust's default `--master-bind-host`. An IPv6 literal
    /// (`::`, `::1`, with or without brackets) is put in brackets and needs `ZMQ_IPV6`. Anything
    /// else (`0.0.0.0`, `127.0.0.1`, a host name) is passed as is, IPv4.
    static func tcpEndpoint(host: String, port: Int) -> (endpoint: String, ipv6: Bool) {
        if host.isEmpty || host == "*" { return ("tcp://*:\(port)", true) }
        if host.contains(":") {
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            return ("tcp://[\(bare)]:\(port)", true)
        }
        return ("tcp://\(host):\(port)", false)
    }

    /// The port of a libzmq endpoint such as `tcp://127.0.0.1:54321` or `tcp://[::]:54321`.
    static func port(ofEndpoint endpoint: String) -> Int? {
        guard let colon = endpoint.lastIndex(of: ":") else { return nil }
        return Int(endpoint[endpoint.index(after: colon)...])
    }

    /// The address of the peer of the socket `fd`, accepted on `local`: `127.0.0.1:54321` (IPv4,
    /// and IPv4-mapped IPv6 on a dual-stack socket), `[::1]:54321`, or for a Unix domain socket the
    /// path the peer bound (nil if it bound none); nil if `fd` is no connected socket, or one of
    /// another port or path.
    ///
    /// The local end is checked because the file descriptor may have been closed by libzmq and
    /// reused by any other socket of the process by the time it is looked up.
    static func peerName(of fd: Int32, local: ZMQLocalName) -> String? {
        guard let name = name(of: fd, peer: false) else { return nil }
        switch local {
        case .port(let port):
            guard name.port == port, name.path == nil else { return nil }
        case .path(let path):
            guard name.path == path else { return nil }
        }
        guard let peer = self.name(of: fd, peer: true) else { return nil }
        if let path = peer.path { return path.isEmpty ? nil : path }
        return peer.text
    }

    /// getpeername or getsockname of `fd`, as text and port (IP) or path (Unix domain).
    private static func name(of fd: Int32, peer: Bool) -> (text: String, port: Int, path: String?)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        // Safe: sockaddr_storage is large and aligned enough for any sockaddr; length bounds the write.
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length)
            }
        }
        guard rc == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            // Safe: the family says the storage holds a sockaddr_in (a trivial type, read by copy).
            let address = withUnsafeBytes(of: &storage) { $0.loadUnaligned(as: sockaddr_in.self) }
            var ip = address.sin_addr
            guard let text = ntop(AF_INET, &ip, capacity: Int(INET_ADDRSTRLEN)) else { return nil }
            let port = Int(UInt16(bigEndian: address.sin_port))
            return ("\(text):\(port)", port, nil)
        case AF_INET6:
            // Safe: the family says the storage holds a sockaddr_in6 (a trivial type, read by copy).
            let address = withUnsafeBytes(of: &storage) { $0.loadUnaligned(as: sockaddr_in6.self) }
            let port = Int(UInt16(bigEndian: address.sin6_port))
            var ip = address.sin6_addr
            let bytes = withUnsafeBytes(of: &ip) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                return ("\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15]):\(port)", port, nil)
            }
            guard let text = ntop(AF_INET6, &ip, capacity: Int(INET6_ADDRSTRLEN)) else { return nil }
            return ("[\(text)]:\(port)", port, nil)
        case AF_UNIX:
            // Safe: the family says the storage holds a sockaddr_un (a trivial type, read by copy);
            // its path is read up to the length returned or its first NUL, whichever comes first.
            let address = withUnsafeBytes(of: &storage) { $0.loadUnaligned(as: sockaddr_un.self) }
            let pathLength = max(0, Int(length) - MemoryLayout<sa_family_t>.size)
            let bytes = withUnsafeBytes(of: address.sun_path) { Array($0.prefix(pathLength)) }
            let path = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            return (path, 0, path)
        default:
            return nil
        }
    }

    /// `inet_ntop` into a String.
    private static func ntop<Address>(_ family: Int32, _ address: inout Address, capacity: Int) -> String? {
        var buffer = [CChar](repeating: 0, count: capacity + 1)
        // Safe: `address` is the in_addr/in6_addr `family` names; the buffer holds `capacity` + 1 bytes.
        let written = withUnsafePointer(to: &address) { inet_ntop(family, $0, &buffer, socklen_t(buffer.count)) }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
