/// Why bytes from a coordinator peer are not a message of the protocol.
public enum ClusterFrameError: Error, CustomStringConvertible, Equatable {
    /// The bytes are not a Locust message; the reason says what is wrong.
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed message: \(reason)"
        }
    }
}
