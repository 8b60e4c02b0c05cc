import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small blocking TCP helpers, on 127.0.0.1 only.
enum Loopback {
    /// The local ports of the IPv4 TCP sockets in TIME_WAIT whose remote port is `port` (/proc/net/tcp).
    static func timeWaitLocalPorts(remotePort port: Int) -> Set<Int> {
        guard let text = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return [] }
        let wanted = String(format: ":%04X", port)
        var ports: Set<Int> = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[2].hasSuffix(wanted), fields[3] == "06",
                let local = fields[1].split(separator: ":").last, let number = Int(local, radix: 16)
            else { continue }
            ports.insert(number)
        }
        return ports
    }

    /// A port that was free a moment ago (bound to port 0, read back, closed).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestFailure("bind(127.0.0.1:0) failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TestFailure("getsockname failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A socket listening on 127.0.0.1 that never accepts: the kernel completes connections into its
    /// backlog, and nothing ever answers (a hung target). Returns the descriptor and the port; close it.
    static func silentListener() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            close(fd)
            throw TestFailure("bind/listen failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// True if something accepts connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        guard let fd = connected(port: port) else { return false }
        close(fd)
        return true
    }

    /// `GET path` over HTTP/1.1 with `Connection: close`; returns the body of a 200 answer.
    static func get(port: Int, path: String, timeoutSeconds: Int = 5) throws -> String {
        guard let fd = connected(port: port, timeoutSeconds: timeoutSeconds) else {
            throw TestFailure("cannot connect to 127.0.0.1:\(port)")
        }
        defer { close(fd) }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"
        let sent = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        guard sent == request.utf8.count else { throw TestFailure("short send to 127.0.0.1:\(port)") }
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 { throw TestFailure("recv from 127.0.0.1:\(port) failed: errno \(errno)") }
            if count == 0 { break }
            answer += buffer[0..<count]
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no HTTP head in: \(text)") }
        let statusLine = text[..<split.lowerBound].split(separator: "\r\n").first ?? ""
        guard statusLine.split(separator: " ").dropFirst().first == "200" else {
            throw TestFailure("GET \(path): \(statusLine)")
        }
        return String(text[split.upperBound...])
    }

    /// Opens a connection and leaves it open (a client that never speaks); the caller closes it.
    static func open(port: Int) -> Int32? { connected(port: port) }

    /// Speaks ZMTP by hand: sends the greeting, waits for the peer's (libzmq drops a peer that sends
    /// its READY before the greeting exchange is over), then sends `rest`, gives the peer a moment to
    /// read it, and closes.
    static func zmtpPeer(port: Int, greeting: [UInt8], rest: [UInt8]) {
        guard let fd = connected(port: port) else { return }
        defer { close(fd) }
        _ = greeting.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var received = 0
        var scratch = [UInt8](repeating: 0, count: 256)
        while received < 64 {
            let count = read(fd, &scratch, scratch.count)
            guard count > 0 else { return }
            received += count
        }
        _ = rest.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var pause = timeval(tv_sec: 0, tv_usec: 300_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &pause, socklen_t(MemoryLayout<timeval>.size))
        _ = read(fd, &scratch, scratch.count)
    }

    /// Connects, writes `bytes`, half-closes and closes: garbage for a protocol port.
    static func sendAndClose(port: Int, bytes: [UInt8]) {
        guard let fd = connected(port: port) else { return }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        shutdown(fd, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 256)
        _ = read(fd, &scratch, scratch.count)
        close(fd)
    }

    private static func connected(port: Int, timeoutSeconds: Int = 2) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
