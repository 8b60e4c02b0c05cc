import Foundation
import Hummingbird
@_spi(Runner) import LocustAPI
import LocustStats

/// Locust's HTTP API and the page, route by route, on a Hummingbird router.
struct WebRoutes: Sendable {
    let environment: WebEnvironment

    /// Adds every route to `router` under the base path.
    func register(on router: Router<BasicRequestContext>) {
        let base = environment.web.basePath
        let group = router.group(RouterPath(base.isEmpty ? "/" : base))
        group.get("/") { request, _ in page(request) }
        group.get("assets/app.js") { _, _ in asset(WebAssets.appJS, type: "text/javascript; charset=utf-8") }
        group.get("assets/app.css") { _, _ in asset(WebAssets.appCSS, type: "text/css; charset=utf-8") }
        group.get("assets/chart.min.js") { _, _ in chartScript() }
        group.post("swarm") { request, _ in try await swarm(request) }
        for method in [HTTPRequest.Method.post, .get] {
            group.on("stop", method: method) { _, _ in await stop() }
            group.on("stats/reset", method: method) { _, _ in await reset() }
        }
        group.get("stats/requests") { _, _ in
            text(environment.statsCache.body { statsRequests().serialized() }, type: "application/json")
        }
        group.get("stats/history") { request, _ in
            json(environment.charts.json(since: request.uri.queryParameters.get("since").flatMap(Double.init)))
        }
        group.get("stats/requests/csv") { _, _ in csv(StatsCSV().requestsCSV(snapshot()), kind: .requests) }
        group.get("stats/failures/csv") { _, _ in csv(StatsCSV().failuresCSV(snapshot()), kind: .failures) }
        group.get("exceptions/csv") { _, _ in csv(StatsCSV().exceptionsCSV(snapshot()), kind: .exceptions) }
        group.get("stats/requests_full_history/csv") { _, _ in fullHistory() }
        group.get("stats/report") { request, _ in await report(request) }
        group.get("exceptions") { _, _ in json(ExceptionsJSON.body(snapshot: snapshot())) }
        group.get("tasks") { _, _ in json(TaskRatioJSON.body(classes: await environment.report.taskRatioClasses())) }
        group.get("logs") { _, _ in
            json(.object([
                "master": .array(environment.logger.recentLines.map { .string($0) }),
                "workers": .object(environment.slaveLogs().mapValues { .array($0.map { .string($0) }) }),
            ]))
        }
        group.get("worker-count") { _, _ in json(.object(["worker_count": .int(environment.controller.status().workerCount)])) }
        group.get("workers") { _, _ in json(workers()) }
        group.get("metrics") { _, _ in metrics() }
    }

    // MARK: The page

    private func page(_ request: Request) -> Response {
        let status = environment.controller.status()
        let args = templateArgs(status)
        let html = WebAssets.indexHTML
            .replacingOccurrences(of: "{{BASE_PATH}}", with: environment.web.basePath)
            .replacingOccurrences(of: "{{TEMPLATE_ARGS}}", with: args.serialized(escapingHTML: true))
        return text(html, type: "text/html; charset=utf-8")
    }

    func templateArgs(_ status: RunStatus) -> JSONValue {
        let settings = environment.settings
        let shapeName = (environment.controller as? ShapedRunController)?.shape.name
        return .object([
            "host": JSONValue(status.host),
            "state": .string(status.state.locustName),
            "is_distributed": .bool(environment.controller.isDistributed),
            "user_count": .int(status.userCount),
            "worker_count": .int(status.workerCount),
            "num_users": status.testIndex > 0 ? .int(status.targetUsers) : .int(settings.users),
            "spawn_rate": status.testIndex > 0 ? .double(status.spawnRate) : .double(settings.spawnRate),
            "run_time": settings.runTime.map { .string("\(PythonStyle.number($0))s") } ?? .null,
            "user_classes": .array(environment.classes.map { userClass in
                .object([
                    "name": .string(userClass.name), "weight": .int(userClass.weight), "host": JSONValue(userClass.host),
                    "tasks": .array(userClass.tasks.map { .object(["name": .string($0.name), "weight": .int($0.weight)]) }),
                ])
            }),
            "percentiles_to_chart": .array([.double(0.5), .double(0.95)]),
            "version": .string(LocustABI.productVersion),
            "locustfile": .string(environment.locustfile),
            "show_userclass_picker": .bool(true),
            "extra_options": .object(Dictionary(environment.scenarioOptions.map { option in
                (option.name.replacingOccurrences(of: "-", with: "_"), JSONValue.object([
                    "default_value": option.isSecret ? .null : (option.kind == .flag ? .bool(settings.scenarioOptions[option.name] == "true") : JSONValue(settings.scenarioOptions[option.name])),
                    "choices": option.choices.map { .array($0.map { .string($0) }) } ?? .null,
                    "help_text": .string(option.help), "is_secret": .bool(option.isSecret), "kind": .string(option.kind.rawValue),
                ]))
            }, uniquingKeysWith: { first, _ in first })),
            "is_shape": .bool(shapeName != nil),
            "shape_name": JSONValue(shapeName),
        ])
    }

    private func chartScript() -> Response {
        guard let script = WebFrontend.chartJS else {
            return text(
                "window.Chart = undefined; console.warn('Chart.js not found at \(WebFrontend.chartJSPath): install libjs-chart.js');",
                type: "text/javascript; charset=utf-8")
        }
        return asset(script, type: "text/javascript; charset=utf-8")
    }

    // MARK: Control

    private func swarm(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        let host = environment.controller.status().host
        let form: SwarmForm
        do {
            form = try SwarmForm.parse(String(buffer: body), options: environment.scenarioOptions)
        } catch {
            environment.logger.error(error.message)
            return swarmAnswer(success: false, message: error.message, host: host)
        }
        do {
            try await environment.controller.start(form.request)
            environment.statsCache.clear()
        } catch {
            environment.logger.error(error.message)
            return swarmAnswer(success: false, message: error.message, host: host)
        }
        var extra: [String: JSONValue] = [:]
        if let runTime = form.runTimeSeconds { extra["run_time"] = .double(runTime) }
        if let classes = form.request.userClasses { extra["user_classes"] = .array(classes.map { .string($0) }) }
        return swarmAnswer(success: true, message: "Swarming started", host: environment.controller.status().host, extra: extra)
    }

    private func swarmAnswer(success: Bool, message: String, host: String?, extra: [String: JSONValue] = [:]) -> Response {
        var body: [String: JSONValue] = ["success": .bool(success), "message": .string(message), "host": JSONValue(host)]
        body.merge(extra) { $1 }
        // Locust answers a refused start with 200; we answer 400 with the same body (docs/ARCHITECTURE.md).
        return json(.object(body), status: success ? .ok : .badRequest)
    }

    private func stop() async -> Response {
        await environment.controller.stop(reason: .requested)
        environment.statsCache.clear()
        return json(.object(["success": .bool(true), "message": .string("Test stopped")]))
    }

    private func reset() async -> Response {
        await environment.controller.reset()
        environment.statsCache.clear()
        return text("ok", type: "text/html; charset=utf-8")
    }

    // MARK: Data

    private func snapshot() -> StatsSnapshot { environment.controller.stats.snapshot() }

    func statsRequests() -> JSONValue {
        let status = environment.controller.status()
        let workers = environment.controller.isDistributed
            ? status.workers.map {
                WorkerJSONRow(id: $0.id, state: $0.state.locustName, userCount: $0.userCount, cpuUsage: $0.cpuUsage, memoryUsage: $0.memoryUsage)
            } : nil
        return StatsRequestsJSON.body(
            snapshot: snapshot(), state: status.state.locustName, userCount: status.userCount, now: Date().timeIntervalSince1970,
            workers: workers)
    }

    private func workers() -> JSONValue {
        .object([
            "workers": .array(environment.controller.status().workers.map { worker in
                .object([
                    "id": .string(worker.id), "hostname": .string(worker.hostname), "state": .string(worker.state.locustName),
                    "user_count": .int(worker.userCount), "cpu_usage": .double(worker.cpuUsage),
                    "memory_usage": .int(worker.memoryUsage), "last_heartbeat": .double(worker.lastHeartbeat),
                    "lag_ms": .int(worker.lagMilliseconds),
                ])
            })
        ])
    }

    private func fullHistory() -> Response {
        guard let csv = environment.reporter.csv, environment.settings.csvFullHistory else {
            return text(
                "Full history CSV is only available when running with --csv and --csv-full-history", type: "text/plain; charset=utf-8",
                status: .notFound)
        }
        guard let content = try? String(contentsOfFile: csv.historyPath, encoding: .utf8) else {
            return text("The history file \(csv.historyPath) cannot be read", type: "text/plain; charset=utf-8", status: .notFound)
        }
        return self.csv(content, kind: .requestsFullHistory)
    }

    private func report(_ request: Request) async -> Response {
        let download = request.uri.queryParameters.get("download") != nil
        let html = await environment.report.html(
            theme: request.uri.queryParameters.get("theme") == "dark" ? "dark" : "light", download: download)
        var response = text(html, type: "text/html; charset=utf-8")
        if download {
            response.headers[.contentDisposition] = CSVDownloadName.reportContentDisposition(
                startTime: snapshot().total.startTime, locustfile: environment.locustfile, host: environment.controller.status().host)
        }
        return response
    }

    private func metrics() -> Response {
        let status = environment.controller.status()
        let body = PrometheusExposition.body(
            snapshot: snapshot(), state: status.state.locustName, userCount: status.userCount,
            workerCount: environment.controller.isDistributed ? status.workerCount : nil)
        return text(body, type: PrometheusExposition.contentType)
    }

    // MARK: Responses

    private func csv(_ content: String, kind: CSVDownloadName.Kind) -> Response {
        var response = text(content, type: "text/csv")
        response.headers[.contentDisposition] = CSVDownloadName.csvContentDisposition(
            kind, startTime: snapshot().total.startTime, locustfile: environment.locustfile, host: environment.controller.status().host)
        return response
    }

    private func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        text(value.serialized(), type: "application/json", status: status)
    }

    private func asset(_ content: String, type: String) -> Response {
        var response = text(content, type: type)
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    private func text(_ content: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: content)))
    }
}
