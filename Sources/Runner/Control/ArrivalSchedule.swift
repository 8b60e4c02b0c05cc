import Foundation

/// When the open model's iterations are due: a constant rate (`--arrival-rate R`, until the test is
/// stopped) or stages (`--arrival-stages 30s:100,2m:500`), each ramping the rate linearly from where the
/// previous one ended (the `--arrival-rate`, or 0, at first) to its target over its span; the test ends
/// with the last stage. Iteration `k` (from 0) is due when the integral of the rate reaches `k`, so a
/// constant rate R puts iteration k at k / R seconds and a run of D seconds holds ⌈R·D⌉ iterations.
public struct ArrivalSchedule: Sendable, Equatable {
    /// One stage: ramp to `rate` iterations per second over `seconds`.
    public struct Stage: Sendable, Equatable {
        /// The stage's span.
        public var seconds: Double
        /// The rate reached at its end, in iterations per second.
        public var rate: Double

        /// Creates a stage.
        public init(seconds: Double, rate: Double) {
            self.seconds = seconds
            self.rate = rate
        }
    }

    /// The rate at the start (the whole schedule's rate when there are no stages).
    public var startRate: Double
    /// The stages; empty: `startRate` until the test is stopped.
    public var stages: [Stage]

    /// Creates a schedule.
    public init(startRate: Double, stages: [Stage] = []) {
        self.startRate = startRate
        self.stages = stages
    }

    /// The most iterations per second a schedule may ask for (per process, before a master's split).
    public static let maxRate = 10_000_000.0

    /// The schedule's length in seconds, nil when it runs until stopped.
    public var totalSeconds: Double? { stages.isEmpty ? nil : stages.reduce(0) { $0 + $1.seconds } }

    /// The highest rate anywhere in the schedule.
    public var peakRate: Double { stages.reduce(startRate) { max($0, $1.rate) } }

    /// This schedule with every rate multiplied by `share` (a slave's part of its master's schedule).
    public func scaled(by share: Double) -> ArrivalSchedule {
        ArrivalSchedule(startRate: startRate * share, stages: stages.map { Stage(seconds: $0.seconds, rate: $0.rate * share) })
    }

    /// Parses `SPAN:RATE[,SPAN:RATE...]` (spans as `-t` takes them, rates in iterations per second).
    public static func parseStages(_ text: String) throws(StartRefusal) -> [Stage] {
        var stages: [Stage] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2 else {
                throw StartRefusal("invalid --arrival-stages '\(text)': each stage is SPAN:RATE, e.g. 30s:100, got '\(part)'")
            }
            let spanText = pieces[0].trimmingCharacters(in: .whitespaces)
            let rateText = pieces[1].trimmingCharacters(in: .whitespaces)
            guard let seconds = TimeSpan.seconds(spanText), seconds > 0 else {
                throw StartRefusal("invalid --arrival-stages '\(text)': '\(spanText)' is not a time span above 0 (10s, 1m, 1h30m)")
            }
            guard let rate = Double(rateText), rate.isFinite, rate >= 0, rate <= maxRate else {
                throw StartRefusal(
                    "invalid --arrival-stages '\(text)': '\(rateText)' is not a rate from 0 to \(Int(maxRate)) iterations per second")
            }
            stages.append(Stage(seconds: seconds, rate: rate))
        }
        return stages
    }

    /// The rate `elapsed` seconds in, nil once the schedule is over.
    public func rate(at elapsed: Double) -> Double? {
        guard !stages.isEmpty else { return startRate }
        var start = 0.0
        var from = startRate
        for stage in stages {
            let end = start + stage.seconds
            if elapsed < end {
                let progress = max(0, elapsed - start) / stage.seconds
                return from + (stage.rate - from) * progress
            }
            start = end
            from = stage.rate
        }
        return nil
    }

    /// When iteration `k` (from 0) is due, in seconds from the start; nil when the schedule ends first
    /// (or never reaches it: a rate of 0).
    public func time(ofIteration k: Int) -> Double? {
        let target = Double(k)
        guard !stages.isEmpty else {
            return startRate > 0 ? target / startRate : nil
        }
        var start = 0.0
        var from = startRate
        var before = 0.0
        for stage in stages {
            let area = (from + stage.rate) / 2 * stage.seconds
            let needed = target - before
            if needed <= area && !(needed == area && stage.rate == 0 && from == 0) {
                // Solve from·s + (to − from)·s² / (2·span) = needed for s in 0...span; the form
                // 2n / (from + √(from² + 4an)) stays exact when the ramp is flat (a = 0) or starts at 0.
                let a = (stage.rate - from) / (2 * stage.seconds)
                let discriminant = max(0, from * from + 4 * a * needed)
                let denominator = from + discriminant.squareRoot()
                let offset = denominator > 0 ? 2 * needed / denominator : 0
                return start + min(stage.seconds, max(0, offset))
            }
            before += area
            start += stage.seconds
            from = stage.rate
        }
        return nil
    }

    /// The first iteration due at or after `elapsed` seconds (a slave that joins a running test, or
    /// whose share changed, goes on from there).
    public func firstIteration(atOrAfter elapsed: Double) -> Int {
        guard elapsed > 0 else { return 0 }
        var high = 1
        while let time = time(ofIteration: high), time < elapsed, high < Int.max / 4 { high *= 2 }
        var low = 0
        // time(ofIteration: low) < elapsed; high is due at or after it, or past the end.
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if let time = time(ofIteration: middle), time < elapsed { low = middle } else { high = middle }
        }
        return (time(ofIteration: low) ?? .infinity) >= elapsed ? low : high
    }
}
