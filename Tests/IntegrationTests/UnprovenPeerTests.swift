import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Integration.ClusterRun {
    /// The resident memory of a process, in bytes: now (VmRSS) or its peak so far (VmHWM).
    static func residentBytes(of pid: pid_t, peak: Bool = false) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(peak ? "VmHWM:" : "VmRSS:") })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    @Test("150 peers each holding most of a 1 MiB frame, one announcing 2 MiB: the master's memory grows < 100 MB, the oldest are dropped, the test's count equals nginx's")
    func unprovenPeersCostBoundedMemory() async throws {
        let nginx = try #require(NginxServer.current)
        let directory = try TempDirectory()
        defer { directory.remove() }
        let port = try Loopback.freePort()
        let before = nginx.loggedRequests()
        let master = try locust.start(
            locust.masterArguments(
                port: port, users: 4, runTime: "8s", slaves: 1, csv: directory.file("unproven"),
                extra: ["--host", nginx.url, "--stop-timeout", "5"], classes: ["CountingUser"]),
            in: directory)
        let slave = try locust.startSlave(port: port, in: directory)
        #expect(await waitFor("All users spawned", in: master))
        let base = Self.residentBytes(of: master.pid)
        // Each: NULL greeting, READY, then a frame header announcing 1 MiB - 64 bytes and all of it but
        // its last byte, so that libzmq holds the frame; with the old 16 MiB limit and no cap on such
        // connections, all 150 frames stayed (about 157 MB). They come in 3 waves of 50, each more than
        // the 1 s grace after the last: a burst within the grace is kept whole by design (real slaves
        // connecting at once), so that sent all at once the 150 could all be held for a second.
        let size = 1024 * 1024 - 64
        var header: [UInt8] = [0x02]
        for shift in stride(from: 56, through: 0, by: -8) { header.append(UInt8(truncatingIfNeeded: size >> shift)) }
        let body = [UInt8](repeating: 0x41, count: size - 1)
        var open: [Int32] = []
        for index in 0..<150 {
            if index > 0 && index % 50 == 0 { try await Task.sleep(for: .milliseconds(1200)) }
            guard let fd = Loopback.open(port: port) else { continue }
            open.append(fd)
            for bytes in [ZMTPBytes.greeting + ZMTPBytes.ready(identity: "unproven_\(index)") + header, body] {
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }
        // A frame over the master's 1 MiB limit is refused from its header.
        var huge: [UInt8] = [0x02]
        for shift in stride(from: 56, through: 0, by: -8) { huge.append(UInt8(truncatingIfNeeded: (2 * 1024 * 1024) >> shift)) }
        Loopback.sendAndClose(port: port, bytes: ZMTPBytes.greeting + ZMTPBytes.ready(identity: "huge") + huge + [UInt8](repeating: 0, count: 4096))
        try await Task.sleep(for: .milliseconds(500))
        let peak = Self.residentBytes(of: master.pid, peak: true)
        #expect(await waitFor("Dropped the connection from", in: master, seconds: 5), "\(master.stderrSoFar())")
        let result = await master.wait(timeout: .seconds(60))
        open.forEach { close($0) }
        _ = await slave.wait(timeout: .seconds(15))
        #expect(result.exited(0), "\(result)")
        #expect(peak - base < 100 * 1024 * 1024, "the master grew from \(base / 1_000_000) MB to \(peak / 1_000_000) MB")
        let logged = await nginx.settledLoggedRequests() - before
        let aggregated = try #require(try CSVTable.read(directory.file("unproven") + "_stats.csv").row(name: "Aggregated"))
        #expect(aggregated.int("Request Count") == logged)
    }
}
