import Foundation
import NIOSSL

/// A coordinator TLS handshake's failure in words, for the one line each side logs: what BoringSSL's
/// reason (`CERTIFICATE_VERIFY_FAILED`, `WRONG_VERSION_NUMBER`, an alert from the other end) means
/// for a master and its slaves, and which option is missing or wrong.
enum ClusterTLSErrorText {
    /// The side that saw the failure.
    enum Role { case master, slave }

    static func reason(_ error: any Error, localRole: Role) -> String {
        let text = String(describing: error)
        func has(_ needle: String) -> Bool { text.contains(needle) }
        switch localRole {
        case .slave:
            if has("failedToValidateHostname") { return "the master's certificate is not for the address or name this slave connects to" }
            if has("CERTIFICATE_VERIFY_FAILED") { return "the master's certificate is not signed by --cluster-tls-ca" }
            if has("WRONG_VERSION_NUMBER") || has("UNKNOWN_PROTOCOL") || has("PACKET_LENGTH_TOO_LONG") {
                return "the master does not speak TLS (it has no --cluster-tls-cert)"
            }
            if has("CERTIFICATE_REQUIRED") || has("HANDSHAKE_FAILURE") {
                return "the master asks for a client certificate signed by its --cluster-tls-ca (--cluster-tls-cert, --cluster-tls-key)"
            }
            if has("UNKNOWN_CA") || has("BAD_CERTIFICATE") || has("DECRYPT_ERROR") {
                return "the master refused this slave's certificate: its --cluster-tls-ca did not sign it"
            }
        case .master:
            if has("PEER_DID_NOT_RETURN_A_CERTIFICATE") { return "it showed no client certificate (this master has --cluster-tls-ca)" }
            if has("CERTIFICATE_VERIFY_FAILED") { return "its certificate is not signed by this master's --cluster-tls-ca" }
            if has("WRONG_VERSION_NUMBER") || has("UNKNOWN_PROTOCOL") || has("HTTP_REQUEST") || has("PACKET_LENGTH_TOO_LONG") {
                return "it does not speak TLS (a slave without --cluster-tls-ca, or Locust's own worker)"
            }
            if has("UNKNOWN_CA") || has("BAD_CERTIFICATE") || has("DECRYPT_ERROR") {
                return "it does not trust this master's certificate (another --cluster-tls-ca)"
            }
        }
        if has("uncleanShutdown") || has("EOF during handshake") || has("ECONNRESET") || has("Connection reset") {
            // A plain ZeroMQ socket answers a ClientHello with its greeting and a reset, which can
            // overtake the greeting: from a slave's side, an EOF mid-handshake is mostly that.
            return localRole == .slave
                ? "the master closed the connection during the TLS handshake (a master without --cluster-tls-cert, which does not speak TLS, does that)"
                : "the connection closed during the TLS handshake"
        }
        // BoringSSL's errors end in their reason (`...:OPENSSL_internal:SOME_REASON`).
        if let reason = text.split(separator: ":").last.map(String.init), reason.uppercased() == reason, reason.contains("_") {
            return "TLS handshake failed (\(reason.split(separator: "_").joined(separator: " ").lowercased().trimmingCharacters(in: .punctuationCharacters.union(.whitespaces))))"
        }
        return "TLS handshake failed (\(ConnectionErrorText.describe(error)))"
    }
}
