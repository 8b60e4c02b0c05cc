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

    /// The address of the peer of the TCP socket `fd`, accepted on `localPort`: `127.0.0.1:54321`
    /// (IPv4, and IPv4-mapped IPv6 on a dual-stack socket) or `[::1]:54321`; nil if `fd` is no
    /// connected socket, or one of another port.
    ///
    /// The local port is checked because the file descriptor may have been closed by libzmq and
    /// reused by any other socket of the process by the time it is looked up.
    static func peerName(of fd: Int32, localPort: Int) -> String? {
        guard let local = name(of: fd, peer: false), local.port == localPort else { return nil }
        return name(of: fd, peer: true)?.text
    }

    /// getpeername or getsockname of `fd`, as text and port.
    private static func name(of fd: Int32, peer: Bool) -> (text: String, port: Int)? {
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
            return ("\(text):\(port)", port)
        case AF_INET6:
            // Safe: the family says the storage holds a sockaddr_in6 (a trivial type, read by copy).
            let address = withUnsafeBytes(of: &storage) { $0.loadUnaligned(as: sockaddr_in6.self) }
            let port = Int(UInt16(bigEndian: address.sin6_port))
            var ip = address.sin6_addr
            let bytes = withUnsafeBytes(of: &ip) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                return ("\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15]):\(port)", port)
            }
            guard let text = ntop(AF_INET6, &ip, capacity: Int(INET6_ADDRSTRLEN)) else { return nil }
            return ("[\(text)]:\(port)", port)
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
