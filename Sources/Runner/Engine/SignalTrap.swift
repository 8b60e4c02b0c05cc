import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into a graceful stop; a second signal exits at once.
public final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    /// Starts trapping; `onSignal` runs on a dispatch queue with the signal's name; `beforeExit` runs
    /// when a second signal ends the process at once (to write what was counted so far).
    public init(beforeExit: @escaping @Sendable () -> Void = {}, onSignal: @escaping @Sendable (String) -> Void) {
        let queue = DispatchQueue(label: "locust.signals")
        let count = SignalCounter()
        sources = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if count.increment() > 1 {
                    FileHandle.standardError.write(Data("Second \(name): exiting without waiting for users\n".utf8))
                    beforeExit()
                    exit(1)
                }
                onSignal(name)
            }
            source.resume()
            return source
        }
    }
}

/// Counts signals (touched only on the trap's serial queue).
private final class SignalCounter: @unchecked Sendable {
    // @unchecked Sendable: only the signal sources' serial queue touches `count`.
    private var count = 0
    func increment() -> Int {
        count += 1
        return count
    }
}
