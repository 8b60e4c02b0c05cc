import Foundation

/// The text of `--source-addresses`: numeric addresses and IPv4 ranges, comma-separated
/// (`127.0.0.2-127.0.0.9`, `10.0.0.5,10.0.0.6`, `::1`), as the list of addresses it names.
enum SourceAddressList {
    /// More than this is a typo (a /16 range), not a plan: each address already holds ~28,000 connections.
    static let limit = 4096

    /// The addresses, in order, without repeats; throws a one-line reason for a malformed item.
    static func parse(_ text: String) throws(RunnerError) -> [String] {
        var result: [String] = []
        var seen: Set<String> = []
        for rawItem in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = rawItem.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { throw bad(text, "an empty item") }
            let expanded: [String]
            if !item.contains(":"), let dash = item.firstIndex(of: "-") {
                let first = String(item[..<dash]), last = String(item[item.index(after: dash)...])
                guard let low = ipv4(first) else { throw bad(text, "\(first) is not an IPv4 address") }
                guard let high = ipv4(last) else { throw bad(text, "\(last) is not an IPv4 address") }
                guard low <= high else { throw bad(text, "\(item) ends before it starts") }
                guard high - low < UInt32(limit) else { throw bad(text, "\(item) names more than \(limit) addresses") }
                expanded = (low...high).map(dotted)
            } else {
                expanded = [item]
            }
            for address in expanded where seen.insert(address).inserted { result.append(address) }
            guard result.count <= limit else { throw bad(text, "more than \(limit) addresses") }
        }
        return result
    }

    private static func bad(_ text: String, _ reason: String) -> RunnerError {
        .badInput("--source-addresses \(text): \(reason) (give addresses or ranges such as 127.0.0.2-127.0.0.9, comma-separated)")
    }

    /// A dotted-quad IPv4 address as a number, or nil.
    static func ipv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    static func dotted(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 255).\(value >> 8 & 255).\(value & 255)"
    }
}
