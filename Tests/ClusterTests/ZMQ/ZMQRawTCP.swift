import Glibc

/// A plain TCP socket for playing a ZeroMQ peer byte by byte: blocking calls, each bounded by a
/// receive timeout (so a missing answer fails the test instead of hanging it).
final class ZMQRawTCP: @unchecked Sendable {  // used by one test at a time; the fd is only read and written.
    /// A failed socket call or an unexpected end of stream.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let fd: Int32

    private init(fd: Int32, timeout: Duration) {
        self.fd = fd
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    /// Connects to 127.0.0.1:`port`.
    static func connect(port: Int, timeout: Duration = .seconds(5)) throws -> ZMQRawTCP {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        let connection = ZMQRawTCP(fd: fd, timeout: timeout)
        var address = loopback(port: port)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw Failure(description: "connect: \(String(cString: strerror(errno)))") }
        return connection
    }

    /// A listener on 127.0.0.1 (port 0: a free port), and the port it got.
    static func listen() throws -> (listener: ZMQRawTCP, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        let listener = ZMQRawTCP(fd: fd, timeout: .seconds(5))
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = loopback(port: 0)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, Glibc.listen(fd, 16) == 0 else {
            throw Failure(description: "bind/listen: \(String(cString: strerror(errno)))")
        }
        return (listener, listener.localPort)
    }

    /// Accepts one connection (waiting at most `timeout`).
    func accept(timeout: Duration = .seconds(5)) throws -> ZMQRawTCP {
        var item = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&item, 1, milliseconds) == 1 else { throw Failure(description: "no connection within \(timeout)") }
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else { throw Failure(description: "accept: \(String(cString: strerror(errno)))") }
        return ZMQRawTCP(fd: client, timeout: timeout)
    }

    /// The local port (getsockname).
    var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Reads exactly `count` bytes; throws on timeout or end of stream.
    func read(exactly count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + offset, count - offset, 0) }
            if n == 0 { throw Failure(description: "end of stream after \(offset) of \(count) bytes") }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "recv after \(offset) of \(count) bytes: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        return bytes
    }

    /// Reads and discards until the peer closes the connection (true), or the timeout passes (false).
    func waitForClose() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 {
                if errno == EINTR { continue }
                return errno == ECONNRESET || errno == EPIPE
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        return address
    }
}
