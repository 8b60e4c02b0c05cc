import Foundation

/// This process's CPU use since the previous sample and its resident memory, from `/proc/self`
/// (what a slave's heartbeat carries, as Locust's workers send psutil's figures).
struct ProcessUsage {
    private var lastCPUSeconds: Double?
    private var lastSample: ContinuousClock.Instant?

    /// CPU use in percent of one core since the previous call (0 on the first), and resident bytes.
    mutating func sample(now: ContinuousClock.Instant = .now) -> (cpuPercent: Double, residentBytes: Int) {
        let cpu = Self.cpuSeconds()
        var percent = 0.0
        if let cpu, let lastCPUSeconds, let lastSample {
            let wall = (now - lastSample).seconds
            if wall > 0 { percent = max(0, (cpu - lastCPUSeconds) / wall * 100) }
        }
        lastCPUSeconds = cpu
        lastSample = now
        return (percent, Self.residentBytes() ?? 0)
    }

    /// User plus system CPU time of this process, in seconds.
    static func cpuSeconds() -> Double? {
        var usage = rusage()
        guard getrusage(Int32(RUSAGE_SELF.rawValue), &usage) == 0 else { return nil }
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    /// Resident set size, from the second field of `/proc/self/statm` (pages).
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
