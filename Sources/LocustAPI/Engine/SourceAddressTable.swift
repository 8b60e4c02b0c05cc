internal import CCurl
import Glibc
import Synchronization

/// The local addresses a run binds its connections to (`--source-addresses`), so that one process can
/// hold more connections to one target than one source address has ephemeral ports (about 28,000 with
/// Linux's default `ip_local_port_range`).
///
/// Every user gets one address, round robin by its connection key, and keeps it: its keep-alive
/// connections and its reconnections all leave from that address. A socket is bound with
/// `IP_BIND_ADDRESS_NO_PORT`, so the kernel chooses the port at `connect` and a port is unique per
/// (source, destination) pair rather than per source.
final class SourceAddressTable: Sendable {
    /// One local address, as `bind(2)` takes it.
    struct Address: Sendable {
        let storage: sockaddr_storage
        let length: socklen_t
        var family: Int32 { Int32(storage.ss_family) }
    }

    let addresses: [Address]

    /// The process's table; empty until the runner sets one (before its first user).
    private static let current = Mutex<SourceAddressTable?>(nil)

    /// The table new transfers take (read once per pooled easy handle, not per request).
    static var installed: SourceAddressTable? { current.withLock { $0 } }

    /// Installs `table` for the connections opened from now on (nil: let the kernel choose).
    static func install(_ table: SourceAddressTable?) {
        current.withLock { $0 = table }
    }

    /// Parses numeric IPv4 or IPv6 addresses (no host names); throws for the first that is not one.
    init(numeric texts: [String]) throws(SourceAddressError) {
        var parsed: [Address] = []
        for text in texts {
            guard let address = Self.parse(text) else { throw SourceAddressError(address: text, reason: "not a numeric IPv4 or IPv6 address") }
            parsed.append(address)
        }
        addresses = parsed
    }

    /// The address of the user whose connection key is `scope`.
    @inline(__always)
    func address(forScope scope: UInt32) -> Address? {
        addresses.isEmpty ? nil : addresses[Int(scope) % addresses.count]
    }

    private static func parse(_ text: String) -> Address? {
        var storage = sockaddr_storage()
        if text.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            guard inet_pton(AF_INET6, text, &address.sin6_addr) == 1 else { return nil }
            withUnsafeMutableBytes(of: &storage) { target in
                withUnsafeBytes(of: address) { target.copyMemory(from: $0) }
            }
            return Address(storage: storage, length: socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, text, &address.sin_addr) == 1 else { return nil }
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: address) { target.copyMemory(from: $0) }
        }
        return Address(storage: storage, length: socklen_t(MemoryLayout<sockaddr_in>.size))
    }

    /// Binds `fd` to `address` without choosing a port yet; the `errno` of a failure, or nil.
    static func bind(_ fd: Int32, to address: Address) -> Int32? {
        var one: Int32 = 1
        // IP_BIND_ADDRESS_NO_PORT (24 in <linux/in.h>, not exported by Glibc's module): the port is
        // picked by connect, which can reuse it towards another destination.
        _ = setsockopt(fd, Int32(IPPROTO_IP), 24, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = address.storage
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, address.length) }
        }
        return result == 0 ? nil : errno
    }

    /// Checks that every address can be bound here (it is one of this machine's); the first that
    /// cannot, with the system's reason.
    func verify() throws(SourceAddressError) {
        for (index, address) in addresses.enumerated() {
            let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SourceAddressError(address: Self.text(of: addresses[index]), reason: String(cString: strerror(errno))) }
            defer { close(fd) }
            if let error = Self.bind(fd, to: address) {
                throw SourceAddressError(address: Self.text(of: address), reason: String(cString: strerror(error)))
            }
        }
    }

    static func text(of address: Address) -> String {
        var storage = address.storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = address.family
        let written: UnsafePointer<CChar>? = withUnsafePointer(to: &storage) { pointer in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { inet in
                    var raw = inet.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                var raw = inet.pointee.sin_addr
                return inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count))
            }
        }
        return written == nil ? "?" : String(cString: buffer)
    }
}
