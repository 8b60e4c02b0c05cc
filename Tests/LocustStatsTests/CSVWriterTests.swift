import Foundation
import Testing
@testable import LocustStats

struct CSVWriterTests {
    func temporaryPrefix() throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("locuststats-\(UInt64.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("run").path
    }

    func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func writesHeadersThenRewritesAndAppends() throws {
        let prefix = try temporaryPrefix()
        defer { try? FileManager.default.removeItem(atPath: (prefix as NSString).deletingLastPathComponent) }
        let writer = try CSVWriter(prefix: prefix)
        #expect(try read(prefix + "_stats.csv") == LocustReference.requestsHeader + "\r\n")
        #expect(try read(prefix + "_failures.csv") == LocustReference.failuresHeader + "\r\n")
        #expect(try read(prefix + "_exceptions.csv") == LocustReference.exceptionsHeader + "\r\n")
        #expect(try read(prefix + "_stats_history.csv") == LocustReference.historyHeader + "\r\n")

        let stats = LocustReference.stats()
        let history = StatsHistory()
        // A first, longer write, then the real one: the files must hold only the latest content.
        let bigger = LocustReference.stats()
        for index in 0 ..< 50 {
            bigger.record(method: "GET", name: "/extra\(index)", responseTime: 1, contentLength: 0, error: "x\(index)")
        }
        try writer.write(bigger.snapshot())
        try writer.write(stats.snapshot())
        try writer.appendHistory(history.sample(stats, userCount: 42, at: LocustReference.base + 14.9))
        try writer.appendHistory(history.sample(stats, userCount: 42, at: LocustReference.base + 14.9))
        #expect(try read(prefix + "_stats.csv") == LocustReference.requestsCSV)
        #expect(try read(prefix + "_failures.csv") == LocustReference.failuresCSV)
        #expect(try read(prefix + "_exceptions.csv") == LocustReference.exceptionsCSV)
        #expect(
            try read(prefix + "_stats_history.csv")
                == LocustReference.historyHeader + "\r\n" + LocustReference.historyCSVRow + LocustReference.historyCSVRow)
        writer.close()
        try writer.write(stats.snapshot())  // ignored after close
        #expect(try read(prefix + "_stats.csv") == LocustReference.requestsCSV)
    }

    @Test func unwritablePathThrows() {
        #expect(throws: CSVWriterError.self) {
            _ = try CSVWriter(prefix: "/nonexistent-directory-for-locuststats/run")
        }
    }
}
