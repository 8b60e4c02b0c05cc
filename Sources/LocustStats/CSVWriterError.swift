#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file operation of ``CSVWriter`` failed.
public struct CSVWriterError: Error, CustomStringConvertible, Sendable {
    /// The file concerned.
    public let path: String
    /// What was being done (`open`, `write`, `truncate`).
    public let operation: String
    /// The `errno` value.
    public let code: Int32

    /// Creates an error.
    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    /// A readable description including the system's message for the error code.
    public var description: String {
        var message = "error \(code)"
        if let text = strerror(code) { message = String(cString: text) }
        return "could not \(operation) \(path): \(message)"
    }
}
