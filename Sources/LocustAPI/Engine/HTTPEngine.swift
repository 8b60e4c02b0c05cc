internal import Foundation
internal import CCurl

/// The process-wide HTTP engine: a few event-loop threads (about one per core), each driving
/// libcurl multi handles and running the Swift code of the users pinned to it.
///
/// `LOCUST_ENGINE_THREADS` sizes it (default one thread per core); a scenario never needs to touch it.
public final class HTTPEngine: Sendable {
    /// The engine all users of this process share, started on first use.
    @_spi(Runner) public static let shared = HTTPEngine(threadCount: defaultThreadCount)

    /// The number of threads a default engine starts: `LOCUST_ENGINE_THREADS` or one per core.
    @_spi(Runner) public static var defaultThreadCount: Int {
        if let value = ProcessInfo.processInfo.environment["LOCUST_ENGINE_THREADS"], let count = Int(value), count > 0 {
            return min(count, 64)
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The engine's threads; user `n` is pinned to `threads[n % threads.count]`.
    @_spi(Runner) public let threads: [EngineThread]

    /// Starts `threadCount` engine threads.
    @_spi(Runner) public init(threadCount: Int) {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        locust_keep_freed_memory()
        let count = max(1, threadCount)
        threads = (0..<count).map { EngineThread(index: $0) }
    }

    /// Call at the end of a run, just before the process exits: its keep-alive connections are then
    /// reset (RST) rather than closed with FIN, so their local ports do not wait a minute in TIME_WAIT.
    /// With one connection per user, a second large run on the same machine would otherwise find
    /// `net.ipv4.ip_local_port_range` crowded and connect slowly.
    @_spi(Runner) public func resetConnectionsOnExit() {
        for thread in threads { thread.resetConnectionsOnExit(timeout: 1) }
    }

    /// How late (in milliseconds) the engine woke a user past its time, at worst, since the previous call:
    /// above a few hundred the process is starved or overloaded, and its figures are its own limit. For
    /// the runner's load-collapse warning.
    @_spi(Runner) public func takeWorstLatenessMilliseconds() -> Int {
        Int(threads.map { $0.takeWorstLateness() }.max() ?? 0) / 1_000_000
    }

    /// Binds the connections opened from now on to `addresses` (numeric IPv4 or IPv6 addresses of this
    /// machine, given out round robin: each user keeps one), or lets the kernel choose again when empty.
    /// Throws, changing nothing, for the first address that is not numeric or cannot be bound here.
    @_spi(Runner) public static func useSourceAddresses(_ addresses: [String]) throws(SourceAddressError) {
        guard !addresses.isEmpty else {
            SourceAddressTable.install(nil)
            return
        }
        let table = try SourceAddressTable(numeric: addresses)
        try table.verify()
        SourceAddressTable.install(table)
    }

    /// How many source addresses connections are spread over (1 when the kernel chooses).
    @_spi(Runner) public static var sourceAddressCount: Int { max(1, SourceAddressTable.installed?.addresses.count ?? 0) }

    /// The thread for the user with this sequence number.
    @_spi(Runner) public func thread(for userNumber: Int) -> EngineThread {
        threads[userNumber % threads.count]
    }
}
