import Foundation
import Testing
@testable import LocustRunner

/// `--cluster-tls-cert/--cluster-tls-key/--cluster-tls-ca` as a user types them: what each role
/// needs, and a clear error for every wrong combination or file.
@Suite struct ClusterTLSSettingsTests {
    static func file(_ name: String) -> String { ZMQSocketSuites.ClusterTLSTunnelTests.file(name) }

    func cluster(_ arguments: [String]) throws -> ClusterSettings {
        try ClusterSettings(options: RunOptions.parse(arguments))
    }

    func error(_ arguments: [String]) -> String? {
        do {
            _ = try cluster(arguments)
            return nil
        } catch let error as RunnerError {
            return error.description
        } catch {
            return "\(error)"
        }
    }

    @Test func noOptionNoTLS() throws {
        #expect(try cluster(["--master"]).tls == nil)
        #expect(try cluster(["--slave"]).tls == nil)
    }

    @Test func aMasterWithACertificateAndACAAuthenticatesItsSlaves() throws {
        let plain = try cluster(["--master", "--cluster-tls-cert", Self.file("master.pem"), "--cluster-tls-key", Self.file("master.key")])
        #expect(plain.tls != nil && !plain.isAuthenticated)
        let mutual = try cluster([
            "--master", "--cluster-tls-cert", Self.file("master.pem"), "--cluster-tls-key", Self.file("master.key"),
            "--cluster-tls-ca", Self.file("ca.pem"),
        ])
        #expect(mutual.tls?.trustRoots?.count == 1 && mutual.isAuthenticated)
    }

    @Test func aSlaveWithItsOwnCertificateAndACAMayFetchThePlugin() throws {
        let checking = try cluster(["--slave", "--cluster-tls-ca", Self.file("ca.pem")])
        #expect(checking.tls != nil && !checking.isAuthenticated)
        let mutual = try cluster([
            "--slave", "--cluster-tls-cert", Self.file("slave.pem"), "--cluster-tls-key", Self.file("slave.key"),
            "--cluster-tls-ca", Self.file("ca.pem"),
        ])
        #expect(mutual.isAuthenticated)
    }

    @Test func wrongCombinationsAndFilesAreOneLineErrors() {
        #expect(error(["--cluster-tls-ca", Self.file("ca.pem")]) == "--cluster-tls-cert/--cluster-tls-key/--cluster-tls-ca are for --master and --slave")
        #expect(error(["--master", "--cluster-tls-ca", Self.file("ca.pem")]) == "a master's coordinator TLS needs --cluster-tls-cert and --cluster-tls-key")
        #expect(error(["--master", "--cluster-tls-cert", Self.file("master.pem")]) == "--cluster-tls-cert needs --cluster-tls-key")
        #expect(error(["--slave", "--cluster-tls-key", Self.file("slave.key")]) == "--cluster-tls-key needs --cluster-tls-cert")
        #expect(error(["--slave", "--cluster-tls-ca", "/nonexistent/ca.pem"]) == "cannot read --cluster-tls-ca '/nonexistent/ca.pem' as PEM certificates")
        #expect(error(["--master", "--cluster-tls-cert", Self.file("master.key"), "--cluster-tls-key", Self.file("master.key")])?
            .hasPrefix("cannot read --cluster-tls-cert") == true)
        #expect(error(["--master", "--cluster-tls-cert", Self.file("master.pem"), "--cluster-tls-key", Self.file("master.pem")])
            == "cannot read --cluster-tls-key '\(Self.file("master.pem"))' as a PEM private key")
        let mismatch = error(["--master", "--cluster-tls-cert", Self.file("master.pem"), "--cluster-tls-key", Self.file("slave.key")])
        #expect(mismatch?.hasPrefix("cannot use --cluster-tls-cert '\(Self.file("master.pem"))' with --cluster-tls-key") == true, "\(String(describing: mismatch))")
    }
}
