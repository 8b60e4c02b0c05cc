import Foundation
import NIOCore
import NIOPosix

/// A coordinator connection's error in words, for log lines ("connection refused" rather than NIO's
/// `NIOConnectionError(host: ..., connectionErrors: [...])`).
enum ConnectionErrorText {
    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return describe(first.error) }
            if error.dnsAAAAError != nil || error.dnsAError != nil { return "cannot resolve host name '\(error.host)'" }
            return "cannot connect to \(error.host):\(error.port)"
        }
        if let error = error as? IOError { return describe(errno: error.errnoCode) }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout(let timeout): return "no answer within \(timeout.nanoseconds / 1_000_000_000) s"
            case .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed, .eof: return "connection closed"
            default: return "\(error)"
            }
        }
        return "\(error)"
    }

    static func describe(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: return "connection refused: nothing listens there"
        case ECONNRESET: return "connection reset by peer"
        case ETIMEDOUT: return "connection timed out"
        case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
        case EPIPE: return "connection closed by peer"
        default: return String(cString: strerror(code)).lowercased()
        }
    }
}
