/// Orders a controller's starts and stops: every start or stop takes a new generation, so the end of a
/// ramp that a later order superseded changes nothing.
struct StartGate: Sendable {
    private(set) var current = 0

    /// Takes the next generation.
    mutating func next() -> Int {
        current += 1
        return current
    }

    /// True when no later order was given since `generation`.
    func isCurrent(_ generation: Int) -> Bool { generation == current }
}
