extension MessagePackValue: ExpressibleByNilLiteral {
    /// ``nil``.
    public init(nilLiteral: ()) { self = .nil }
}

extension MessagePackValue: ExpressibleByBooleanLiteral {
    /// ``bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension MessagePackValue: ExpressibleByIntegerLiteral {
    /// ``int(_:)`` when negative, ``uint(_:)`` otherwise (as decoding yields them).
    public init(integerLiteral value: Int64) {
        self = value < 0 ? .int(value) : .uint(UInt64(value))
    }
}

extension MessagePackValue: ExpressibleByFloatLiteral {
    /// ``double(_:)``.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension MessagePackValue: ExpressibleByStringLiteral {
    /// ``string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension MessagePackValue: ExpressibleByArrayLiteral {
    /// ``array(_:)``.
    public init(arrayLiteral elements: MessagePackValue...) { self = .array(elements) }
}

extension MessagePackValue: ExpressibleByDictionaryLiteral {
    /// ``map(_:)`` with the pairs in the order written.
    public init(dictionaryLiteral elements: (MessagePackValue, MessagePackValue)...) {
        self = .map(elements.map { Pair($0.0, $0.1) })
    }
}
