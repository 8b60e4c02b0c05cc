import CZeroMQ

/// A libzmq call that failed, with the `errno` it left (libzmq's own numbers such as `ETERM`
/// included). Internal: ``ZMQRouter`` and ``ZMQDealer`` turn it into a `RunnerError` for the user.
struct ZMQFailure: Error, CustomStringConvertible {
    /// What was attempted, e.g. `zmq_bind tcp://127.0.0.1:5557`.
    var operation: String
    /// The error number.
    var code: Int32

    /// Captures `zmq_errno()` after `operation` failed.
    static func last(_ operation: String) -> ZMQFailure {
        ZMQFailure(operation: operation, code: zmq_errno())
    }

    /// libzmq's text for the error, e.g. "Address already in use".
    var reason: String { String(cString: zmq_strerror(code)) }

    var description: String { "\(operation): \(reason)" }
}
