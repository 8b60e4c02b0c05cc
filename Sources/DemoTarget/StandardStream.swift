#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to standard output or standard error.
///
/// Writing straight to the file descriptor means a line is visible to a parent process as soon as it is
/// written, without touching the C library's (concurrency-unsafe) `stdout` buffer.
struct StandardStream: Sendable {
    /// The file descriptor written to.
    let fileDescriptor: Int32

    /// Standard output.
    static let output = StandardStream(fileDescriptor: 1)
    /// Standard error.
    static let error = StandardStream(fileDescriptor: 2)

    /// Writes all of `text`, retrying on short writes and interruptions; other failures are ignored.
    func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                #if canImport(Darwin)
                let written = Darwin.write(fileDescriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                #elseif canImport(Musl)
                let written = Musl.write(fileDescriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                #else
                let written = Glibc.write(fileDescriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                #endif
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
