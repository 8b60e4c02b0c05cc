import Foundation
import LocustAPI
import Synchronization

/// What every user of this process adds up, reported by the test hooks once per test.
enum ShopTotals {
    /// Cart lines added in this process during the current test.
    static let cartLines = Atomic<Int>(0)

    /// test_start: a new count; test_stop: the count, on each process that ran users.
    static let hooks = TestHooks(
        onTestStart: { _ in cartLines.store(0, ordering: .relaxed) },
        onTestStop: { test in
            guard test.role != .master else { return }
            let line = "Shop: \(cartLines.load(ordering: .relaxed)) cart lines added in this \(test.role.rawValue) process\n"
            FileHandle.standardError.write(Data(line.utf8))
        })
}
