import Foundation
import LocustStats
import MessagePack
import Testing

/// The open model's statistics: response times from the intended start in the request table, service
/// times apart, iterations started and dropped; and that a closed-model run has none of it.
struct OpenModelStatsTests {
    static func openStats() -> RequestStats {
        let stats = RequestStats()
        stats.enableOpenModel()
        // A request 5 ms on the wire that started 995 ms late: 1,000 ms from its intended start.
        stats.recordOpenModel(method: "GET", name: "/", responseTime: 1000, serviceTime: 5, contentLength: 10, error: nil)
        for _ in 0..<9 {
            stats.recordOpenModel(method: "GET", name: "/", responseTime: 5, serviceTime: 5, contentLength: 10, error: nil)
        }
        stats.recordOpenModel(method: "GET", name: "/fail", responseTime: 7, serviceTime: 7, contentLength: 0, error: "HTTPError: 500")
        for _ in 0..<11 { stats.recordIterationStarted() }
        for _ in 0..<3 { stats.recordIterationDropped() }
        return stats
    }

    @Test func responseAndServiceTimesAreKeptApart() throws {
        let snapshot = Self.openStats().snapshot()
        let open = try #require(snapshot.openModel)
        #expect(snapshot.entry(method: "GET", name: "/")?.maxResponseTime == 1000)
        #expect(open.serviceEntry(method: "GET", name: "/")?.maxResponseTime == 5)
        #expect(snapshot.total.numRequests == 11 && open.serviceTotal.numRequests == 11)
        #expect(open.serviceTotal.numFailures == 1)
        #expect(open.startedIterations == 11 && open.droppedIterations == 3 && open.scheduledIterations == 14)
    }

    @Test func aClosedModelRunHasNoOpenModelPart() {
        let stats = RequestStats()
        stats.record(method: "GET", name: "/", responseTime: 3, contentLength: 1, error: nil)
        let snapshot = stats.snapshot()
        #expect(snapshot.openModel == nil)
        #expect(ConsoleReport().openModelReport(snapshot).isEmpty)
        #expect(StatsCSV().serviceCSV(snapshot) == nil && StatsCSV().iterationsCSV(snapshot) == nil)
        let body = StatsRequestsJSON.body(snapshot: snapshot, state: "running", userCount: 1, now: snapshot.takenAt, workers: nil)
        #expect(body["dropped_iterations"] == nil && body["open_model"] == nil)
        #expect(!ConsoleReport().percentileTable(snapshot).contains("open model"))
    }

    @Test func droppedIterationsShowBeforeAnyRequest() throws {
        let stats = RequestStats()
        stats.enableOpenModel()
        #expect(stats.snapshot().openModel?.droppedIterations == 0)
        stats.recordIterationDropped()
        #expect(stats.snapshot().openModel?.droppedIterations == 1)
        stats.enableOpenModel(false)
        #expect(stats.snapshot().openModel == nil)
    }

    @Test func aResetZeroesButKeepsTheOpenModelPart() throws {
        let stats = Self.openStats()
        stats.reset()
        let open = try #require(stats.snapshot().openModel)
        #expect(open.droppedIterations == 0 && open.startedIterations == 0 && open.serviceTotal.numRequests == 0)
    }

    @Test func slavesDeltasMergeExactly() throws {
        let master = RequestStats()
        master.merge(Self.openStats().snapshotAndReset())
        master.merge(Self.openStats().snapshot())
        let open = try #require(master.snapshot().openModel)
        #expect(open.droppedIterations == 6 && open.startedIterations == 22)
        #expect(open.serviceEntry(method: "GET", name: "/")?.numRequests == 20)
        #expect(master.snapshot().entry(method: "GET", name: "/")?.maxResponseTime == 1000)
    }

    @Test func theExactWireCarriesIt() throws {
        let snapshot = Self.openStats().snapshot()
        var writer = MessagePackWriter()
        snapshot.writeExact(into: &writer)
        var reader = MessagePackReader(writer.bytes)
        let decoded = try StatsSnapshot(exactFrom: &reader)
        #expect(reader.isAtEnd)
        #expect(decoded.openModel == snapshot.openModel)
        // A closed-model snapshot keeps its 8-element form.
        let closed = RequestStats().snapshot()
        var closedWriter = MessagePackWriter()
        closed.writeExact(into: &closedWriter)
        var closedReader = MessagePackReader(closedWriter.bytes)
        #expect(try closedReader.readArrayHeader() == 8)
    }

    @Test func theSummaryCSVsAndJSONLabelBothTimesAndTheDrops() throws {
        let snapshot = Self.openStats().snapshot()
        let report = ConsoleReport()
        #expect(report.percentileTable(snapshot).hasPrefix("Response time percentiles (approximated), open model: from each iteration's intended start"))
        let open = report.openModelReport(snapshot)
        #expect(open.hasPrefix("Service time percentiles (approximated), open model: each request's own time"))
        #expect(open.contains("Iterations: 14 scheduled, 11 started, 3 dropped"))
        let csv = StatsCSV()
        #expect(csv.iterationsCSV(snapshot) == "Scheduled Iterations,Started Iterations,Dropped Iterations\r\n14,11,3\r\n")
        let service = try #require(csv.serviceCSV(snapshot))
        #expect(service.hasPrefix(StatsCSV.line(csv.requestsColumns)))
        #expect(service.contains("GET,/,10,0,5,5.0,5.0,5.0,"))
        let body = StatsRequestsJSON.body(snapshot: snapshot, state: "running", userCount: 1, now: snapshot.takenAt, workers: nil)
        #expect(body["dropped_iterations"] == .int(3))
        guard case .object(let part)? = body["open_model"], case .array(let rows)? = part["service_time_stats"] else {
            Issue.record("no open_model.service_time_stats")
            return
        }
        #expect(part["scheduled_iterations"] == .int(14) && part["started_iterations"] == .int(11))
        #expect(rows.count == 3)
        #expect(rows.last?["name"] == .string("Aggregated"))
        #expect(rows.last?["max_response_time"] == .double(7) || rows.last?["max_response_time"] == .int(7))
    }

    @Test func metricsCountTheIterationsAndTheServiceTimes() {
        let open = PrometheusExposition.body(snapshot: Self.openStats().snapshot(), state: "running", userCount: 1, workerCount: nil)
        #expect(open.contains("locust_iterations_dropped_total 3\n"))
        #expect(open.contains("locust_iterations_started_total 11\n"))
        #expect(open.contains("locust_service_time_seconds_count{method=\"GET\",name=\"/\"} 10\n"))
        let closed = PrometheusExposition.body(snapshot: RequestStats().snapshot(), state: "running", userCount: 1, workerCount: nil)
        #expect(!closed.contains("iterations") && !closed.contains("service_time"))
    }

    @Test func theCSVWriterWritesTheOpenModelFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("open-model-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try CSVWriter(prefix: directory.appendingPathComponent("run").path)
        try writer.write(RequestStats().snapshot())
        #expect(!FileManager.default.fileExists(atPath: writer.iterationsPath))
        try writer.write(Self.openStats().snapshot())
        #expect(try String(contentsOfFile: writer.iterationsPath, encoding: .utf8).contains("14,11,3"))
        #expect(FileManager.default.fileExists(atPath: writer.serviceStatsPath))
        writer.close()
    }
}
