import Foundation

/// Writes to standard output at once (no buffering between the table and the log lines).
enum StandardOutput {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
