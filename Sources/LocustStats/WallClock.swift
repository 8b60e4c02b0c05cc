#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the wall clock (seconds since the Unix epoch); used to time-stamp records.
enum WallClock {
    /// The current time as seconds since 1970-01-01T00:00:00Z.
    @inline(__always)
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1_000_000_000
    }

    /// The wall clock at the kernel tick's resolution (a few milliseconds), several times cheaper
    /// than ``now()``: precise enough to put a request in its second.
    @inline(__always)
    static func coarseNow() -> Double {
        #if os(Linux)
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1_000_000_000
        #else
        return now()
        #endif
    }
}
