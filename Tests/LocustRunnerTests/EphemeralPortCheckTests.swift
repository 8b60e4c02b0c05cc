import Foundation
import Testing
@testable import LocustRunner

struct EphemeralPortCheckTests {
    @Test("No warning while the users fit in the even half of the local port range")
    func fitsInTheFastHalf() {
        #expect(EphemeralPortCheck.warning(users: 14_000, range: 32768...60999) == nil)
        #expect(EphemeralPortCheck.warning(users: 30_000, range: 1024...65535) == nil)
    }

    @Test("A warning with the sysctl to widen the range once the users do not fit")
    func warnsPastTheFastHalf() throws {
        let warning = try #require(EphemeralPortCheck.warning(users: 15_000, range: 32768...60999))
        #expect(warning.contains("15000 users"))
        #expect(warning.contains("32768-60999"))
        #expect(warning.contains("sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\""))
    }

    @Test("Source addresses multiply the room, and the warning without them suggests them")
    func sourceAddressesWiden() throws {
        #expect(EphemeralPortCheck.warning(users: 100_000, range: 32768...60999, sourceAddresses: 8) == nil)
        let over = try #require(EphemeralPortCheck.warning(users: 60_000, range: 32768...60999, sourceAddresses: 4))
        #expect(over.contains("from 4 source addresses") && !over.contains("--source-addresses"))
        let single = try #require(EphemeralPortCheck.warning(users: 15_000, range: 32768...60999))
        #expect(single.contains("--source-addresses"))
    }

    @Test("The range is read from a file like /proc's, and garbage gives nil")
    func readsTheRange() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("port-range-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good").path
        try "32768\t60999\n".write(toFile: good, atomically: true, encoding: .utf8)
        #expect(EphemeralPortCheck.portRange(path: good) == 32768...60999)
        let bad = directory.appendingPathComponent("bad").path
        try "60999 32768\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(EphemeralPortCheck.portRange(path: bad) == nil)
        #expect(EphemeralPortCheck.portRange(path: directory.appendingPathComponent("missing").path) == nil)
    }
}
