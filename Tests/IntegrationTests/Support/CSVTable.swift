import Foundation

/// A CSV file as Locust writes it: a header line, then rows (RFC 4180 quoting).
struct CSVTable: Sendable {
    let header: [String]
    let rows: [[String: String]]

    static func read(_ path: String) throws -> CSVTable {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TestFailure("cannot read \(path)")
        }
        let records = parse(text)
        guard let header = records.first else { throw TestFailure("\(path) is empty") }
        let rows = records.dropFirst().map { record in
            Dictionary(zip(header, record).map { ($0, $1) }, uniquingKeysWith: { first, _ in first })
        }
        return CSVTable(header: header, rows: rows)
    }

    /// The first row whose `Name` is `name` (and whose `Type` is `type`, if given).
    func row(name: String, type: String? = nil) -> [String: String]? {
        rows.first { $0["Name"] == name && (type == nil || $0["Type"] == type) }
    }

    /// Parses CSV text into records of fields.
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let character = pending {
                pending = nil
                return character
            }
            return iterator.next()
        }
        while let character = next() {
            if quoted {
                if character == "\"" {
                    if let following = next() {
                        if following == "\"" { field.append("\"") } else { quoted = false; pending = following }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"": quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\r\n", "\n", "\r":
                record.append(field)
                records.append(record)
                record = []
                field = ""
            default: field.append(character)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}

/// The columns of Locust 2.x's CSV files.
enum LocustCSV {
    static let percentiles = ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"]
    static let statsColumns = [
        "Type", "Name", "Request Count", "Failure Count", "Median Response Time", "Average Response Time",
        "Min Response Time", "Max Response Time", "Average Content Size", "Requests/s", "Failures/s",
    ] + percentiles
    static let failuresColumns = ["Method", "Name", "Error", "Occurrences", "First Seen", "Last Seen"]  // Locust 2.47
    static let exceptionsColumns = ["Count", "Message", "Traceback", "Nodes"]
    static let historyColumns = ["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"] + percentiles + [
        "Total Request Count", "Total Failure Count", "Total Median Response Time", "Total Average Response Time",
        "Total Min Response Time", "Total Max Response Time", "Total Average Content Size",
    ]

    /// The four files that `--csv PREFIX` writes.
    static func files(prefix: String) -> [String] {
        ["_stats.csv", "_failures.csv", "_exceptions.csv", "_stats_history.csv"].map { prefix + $0 }
    }
}

extension Dictionary where Key == String, Value == String {
    /// The integer in column `key` (nil if absent or not an integer).
    func int(_ key: String) -> Int? { self[key].flatMap { Int($0) } }
    /// The number in column `key`.
    func double(_ key: String) -> Double? { self[key].flatMap { Double($0) } }
}
