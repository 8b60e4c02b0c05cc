extension MessagePackValue {
    /// One key-value pair of a map.
    public struct Pair: Sendable, Hashable {
        /// The key (any value: strings, integers...).
        public var key: MessagePackValue
        /// The value.
        public var value: MessagePackValue

        /// A pair of `key` and `value`.
        public init(_ key: MessagePackValue, _ value: MessagePackValue) {
            self.key = key
            self.value = value
        }
    }
}
