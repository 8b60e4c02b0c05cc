import Foundation

/// A new directory only this user can enter (`mkdtemp`, mode 0700), under the temporary directory:
/// for the plugin a `-f -` slave was sent, and for the coordinator's Unix domain sockets.
enum PrivateDirectory {
    /// Makes one named `swiftlocust-<name>-XXXXXX`; returns its path.
    ///
    /// - Throws: `RunnerError.badInput("cannot make a private directory for <purpose>: …")`.
    static func make(_ name: String, for purpose: String) throws -> String {
        var template = Array((NSTemporaryDirectory() + "/swiftlocust-\(name)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw RunnerError.badInput("cannot make a private directory for \(purpose): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
