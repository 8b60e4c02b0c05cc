/// A threshold that cannot be parsed, with the reason in words.
public struct ThresholdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The threshold as given.
    public var text: String
    /// What is wrong with it.
    public var reason: String

    init(_ text: String, _ reason: String) {
        self.text = text
        self.reason = reason
    }

    public var description: String { "invalid --threshold '\(text)': \(reason)" }
}
