import Foundation

/// Warns once when a ramp asks for more users than the kernel can give fast connections to one host.
///
/// Every user keeps its own keep-alive connection, and each connection to one host takes a local port
/// from `net.ipv4.ip_local_port_range`. Linux tries the even half of that range first; once it is used
/// up, every new connection scans it all (about 150 µs of CPU per connect at 14,000 connections with the
/// default `32768 60999`), so a large ramp stalls the load generator. k6 and Locust users know the fix.
struct EphemeralPortCheck {
    /// The local port range, or nil when it cannot be read.
    static func portRange(path: String = "/proc/sys/net/ipv4/ip_local_port_range") -> ClosedRange<Int>? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard numbers.count == 2, numbers[0] <= numbers[1] else { return nil }
        return numbers[0]...numbers[1]
    }

    /// The warning for `users` users with `range` and `sourceAddresses` local addresses (1 when the
    /// kernel chooses), or nil when they fit in its fast half of each address.
    static func warning(users: Int, range: ClosedRange<Int>, sourceAddresses: Int = 1) -> String? {
        let addresses = max(1, sourceAddresses)
        let fast = range.count / 2 * addresses
        guard users > fast else { return nil }
        let from = addresses == 1 ? "" : " from \(addresses) source addresses"
        return "\(users) users keep \(users) connections, but net.ipv4.ip_local_port_range (\(range.lowerBound)-\(range.upperBound)) "
            + "gives only about \(fast) connections to one host\(from) before each new connection gets slow; "
            + "widen it: sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\""
            + (addresses == 1 ? ", or spread the connections with --source-addresses 127.0.0.2-127.0.0.9 (loopback targets)" : "")
    }
}
