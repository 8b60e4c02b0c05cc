import Foundation
import LocustStats
import Testing
@testable import LocustRunner

/// Storing a plugin a master sent (`-f -`): only with its own fingerprint, read-only, in a private directory.
struct PluginFetcherTests {
    @Test func aPluginIsStoredReadOnlyInAPrivateDirectory() throws {
        let bytes: [UInt8] = Array("not really an ELF".utf8)
        let logger = try RunLogger(level: .error, logfile: nil)
        let path = try PluginFetcher.store(
            .init(filename: "../../libShop.so", contents: bytes, fingerprint: SHA256.hexDigest(bytes: bytes)), logger: logger)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        #expect(path.hasSuffix("/libShop.so") && path.contains("swiftlocust-plugin-"))
        #expect(FileManager.default.contents(atPath: path) == Data(bytes))
        let file = try FileManager.default.attributesOfItem(atPath: path)
        let directory = try FileManager.default.attributesOfItem(atPath: (path as NSString).deletingLastPathComponent)
        #expect((file[.posixPermissions] as? Int) == 0o500)
        #expect((directory[.posixPermissions] as? Int) == 0o700)
    }

    @Test func aPluginThatDoesNotMatchItsFingerprintIsRefused() throws {
        let logger = try RunLogger(level: .error, logfile: nil)
        let error = #expect(throws: RunnerError.self) {
            try PluginFetcher.store(.init(filename: "libShop.so", contents: [1, 2, 3], fingerprint: SHA256.hexDigest(bytes: [1, 2, 4])), logger: logger)
        }
        #expect(error?.description == "the plugin the master sent does not match its SHA-256: refused")
    }
}
