import NIOSSL

/// `--cluster-tls-cert`, `--cluster-tls-key` and `--cluster-tls-ca`, checked and loaded: TLS for the
/// coordinator, carried by ``ClusterTLSListener`` (master) and ``ClusterTLSConnector`` (slave) in
/// front of the ZeroMQ sockets, which keep speaking ZMTP (and CURVE, with a token) inside it.
///
/// The master turns TLS on with a certificate and its key; with `--cluster-tls-ca` it also asks every
/// slave for a certificate that CA signed (mutual TLS), which authenticates the slaves as a token
/// does. A slave turns TLS on with `--cluster-tls-ca` (or a certificate of its own, trusting the
/// system's roots) and checks the master's certificate against it, and against the address or
/// name it connects to.
struct ClusterTLSSettings: Sendable {
    /// The chain and key this end shows (required on the master; a slave's client certificate).
    let certificateChain: [NIOSSLCertificate]
    let privateKey: NIOSSLPrivateKey?
    /// The roots the other end's certificate must chain to (nil on a slave: the system's).
    let trustRoots: [NIOSSLCertificate]?

    /// Whether this end authenticates its peers by certificate: on the master, slaves must show one
    /// signed by `--cluster-tls-ca`; on a slave, it shows one and checks the master's against its CA
    /// (what `-f -` needs when there is no token).
    var isMutual: Bool { trustRoots != nil && privateKey != nil }

    /// The settings of `options` for `role`; nil when no `--cluster-tls-*` option is given.
    ///
    /// - Throws: `RunnerError.badInput` for an option that does not fit the role (any on a
    ///   standalone run; a master without a certificate and key), a certificate without its key (or
    ///   the other way round), or a file that cannot be read as PEM.
    init?(options: RunOptions, role: ClusterSettings.Role) throws {
        let cert = options.clusterTLSCert, key = options.clusterTLSKey, ca = options.clusterTLSCA
        guard cert != nil || key != nil || ca != nil else { return nil }
        guard role != .standalone else {
            throw RunnerError.badInput("--cluster-tls-cert/--cluster-tls-key/--cluster-tls-ca are for --master and --slave")
        }
        guard (cert == nil) == (key == nil) else {
            throw RunnerError.badInput(
                cert == nil ? "--cluster-tls-key needs --cluster-tls-cert" : "--cluster-tls-cert needs --cluster-tls-key")
        }
        if role == .master && cert == nil {
            throw RunnerError.badInput("a master's coordinator TLS needs --cluster-tls-cert and --cluster-tls-key")
        }
        if let cert, let key {
            certificateChain = try Self.certificates(cert, option: "--cluster-tls-cert")
            do {
                privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
            } catch {
                throw RunnerError.badInput("cannot read --cluster-tls-key '\(key)' as a PEM private key")
            }
        } else {
            certificateChain = []
            privateKey = nil
        }
        trustRoots = try ca.map { try Self.certificates($0, option: "--cluster-tls-ca") }
        // A key that is not the certificate's fails here, not at each slave's handshake.
        if privateKey != nil {
            do {
                _ = try NIOSSLContext(configuration: role == .master ? serverConfiguration() : clientConfiguration())
            } catch {
                throw RunnerError.badInput("cannot use --cluster-tls-cert '\(cert ?? "")' with --cluster-tls-key '\(key ?? "")': \(error)")
            }
        }
    }

    /// The PEM certificates of `path`, at least one.
    private static func certificates(_ path: String, option: String) throws -> [NIOSSLCertificate] {
        let loaded: [NIOSSLCertificate]
        do {
            loaded = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw RunnerError.badInput("cannot read \(option) '\(path)' as PEM certificates")
        }
        guard !loaded.isEmpty else { throw RunnerError.badInput("\(option) '\(path)' holds no PEM certificate") }
        return loaded
    }

    /// The master's side: its certificate; with a CA, a client certificate it signed is required
    /// (its name is not checked: slaves connect from anywhere). Only for settings with a key (a
    /// master's always have one).
    func serverConfiguration() -> TLSConfiguration {
        guard let privateKey else { preconditionFailure("coordinator TLS server settings without a key") }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificateChain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        if let trustRoots {
            configuration.trustRoots = .certificates(trustRoots)
            configuration.certificateVerification = .noHostnameVerification
        }
        return configuration
    }

    /// A slave's side: the master's certificate must chain to the CA (or the system's roots) and
    /// name the address or host connected to; its own certificate when it has one.
    func clientConfiguration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let trustRoots { configuration.trustRoots = .certificates(trustRoots) }
        if let privateKey {
            configuration.certificateChain = certificateChain.map { .certificate($0) }
            configuration.privateKey = .privateKey(privateKey)
        }
        return configuration
    }
}
