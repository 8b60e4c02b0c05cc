import LocustAPI

/// GET / with no wait: the request count is compared with the server's log.
final class CountingUser: User {
    static let tasks: [UserTask<CountingUser>] = [UserTask("index") { await $0.client.get("/") }]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// GET /fail, which answers 500: every request is a failure.
final class FailingUser: User {
    static let waitTime = WaitTime.constant(0.01)
    static let tasks: [UserTask<FailingUser>] = [UserTask("fail") { await $0.client.get("/fail") }]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// GET /slow?ms=100: the median must be close to 100 ms.
final class SlowUser: User {
    static let tasks: [UserTask<SlowUser>] = [
        UserTask("slow") { await $0.client.get("/slow", name: "/slow", query: ["ms": "100"]) }
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// Throws from a task: counted as an exception; the user goes on.
final class ThrowingUser: User {
    struct Broken: Error, CustomStringConvertible { var description: String { "the task broke" } }
    static let waitTime = WaitTime.constant(0.05)
    static let tasks: [UserTask<ThrowingUser>] = [
        UserTask("throw") { user in
            await user.client.get("/")
            throw Broken()
        }
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// Targets a closed port: connection refused, counted as failures.
final class RefusedUser: User {
    static let host: String? = "http://127.0.0.1:9"
    static let waitTime = WaitTime.constant(0.05)
    static let tasks: [UserTask<RefusedUser>] = [UserTask("refused") { await $0.client.get("http://127.0.0.1:9/nothing", name: "refused") }]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// Reports a non-HTTP call through the request event.
final class CustomEventUser: User {
    static let waitTime = WaitTime.constant(0.02)
    static let tasks: [UserTask<CustomEventUser>] = [
        UserTask("query") { user in
            user.context.recordRequest(type: "SQL", name: "select 1", responseTime: 3, contentLength: 10)
        }
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// One task per second per user: the paced rate equals the user count.
final class PacedUser: User {
    static let waitTime = WaitTime.constantPacing(1)
    static let tasks: [UserTask<PacedUser>] = [UserTask("index") { await $0.client.get("/") }]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// One task per 10 s per user: the paced rate is users / 10 (bench/many-connections.py). With
/// `TESTTARGETS_LATENCY_LOG` set, each request also goes to ``PacedLatencyLog``.
final class Paced10User: User {
    static let waitTime = WaitTime.constantPacing(10)
    static let tasks: [UserTask<Paced10User>] = [
        UserTask("index") { user in
            guard PacedLatencyLog.state != nil else {
                await user.client.get("/")
                return
            }
            let start = PacedLatencyLog.monotonicNanoseconds()
            let late = user.lastStart == 0 || start < user.lastStart + 10_000_000_000
                ? 0 : (start - user.lastStart - 10_000_000_000) / 1000
            user.lastStart = start
            let response = await user.client.get("/")
            let task = (PacedLatencyLog.monotonicNanoseconds() - start) / 1000
            let elapsed = UInt64(max(0, response.elapsed / .microseconds(1)))
            PacedLatencyLog.record([elapsed, task, late])
        }
    ]
    let context: UserContext
    var lastStart: UInt64 = 0
    init(context: UserContext) { self.context = context }
}

/// A self-signed TLS server: certificate checks off; HTTP/2 when the server offers it.
final class InsecureTLSUser: User {
    static let httpOptions = HTTPClientOptions(verifyTLS: false)
    static let waitTime = WaitTime.constant(0.05)
    static let tasks: [UserTask<InsecureTLSUser>] = [
        UserTask("index") { user in
            await user.client.get("/") { response in
                response.text == "hello tls" ? .automatic : .failure("unexpected body '\(response.text)'")
            }
        }
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// Every method in turn on one pooled handle: HEAD, then methods with and without bodies.
final class MethodsUser: User {
    static let tasks: [UserTask<MethodsUser>] = [
        UserTask("methods") { user in
            let client = user.client
            await client.head("/status/200", name: "head")
            await client.post("/status/201", name: "post", body: .text("hello"))
            await client.put("/status/202", name: "put", body: try .json(["a": 1]))
            await client.patch("/status/203", name: "patch", body: .form(["k": "v"]))
            await client.delete("/status/204", name: "delete")
            await client.options("/status/200", name: "options")
            await client.get("/status/200", name: "get", query: ["q": "a b"])
            await client.request(.post, "/status/201", name: "post empty")
        }
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// Sends its user id in `X-User` with every request, so that nginx can log which connection carried
/// which user's requests: each user must keep one connection of its own.
final class SessionUser: User {
    static let waitTime = WaitTime.constant(0.02)
    static let tasks: [UserTask<SessionUser>] = [UserTask("index") { await $0.client.get("/") }]
    let context: UserContext
    init(context: UserContext) { self.context = context }
    func onStart() async throws {
        client.defaultHeaders = ["X-User": String(context.userID)]
    }
}

/// Request timeouts: the class's 300 ms timeout cuts `/slow?ms=2000` short; a request's own 2 s timeout
/// lets `/slow?ms=50` through.
final class TimeoutUser: User {
    static let httpOptions = HTTPClientOptions(timeout: .milliseconds(300))
    static let tasks: [UserTask<TimeoutUser>] = [
        UserTask("cut") { await $0.client.get("/slow?ms=2000", name: "/slow-cut") },
        UserTask("through") { await $0.client.get("/slow?ms=50", name: "/slow-through", timeout: .seconds(2)) },
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// Follows `/redirect?to=/items/7` again and again on pooled handles: every request must start at
/// `/redirect` (the handle keeps the URL it was given, not where the last transfer was redirected), and
/// end with the item's 200.
final class RedirectUser: User {
    static let waitTime = WaitTime.constant(0.01)
    static let tasks: [UserTask<RedirectUser>] = [
        UserTask("follow") {
            await $0.client.get("/redirect?to=/items/7", name: "/redirect") { $0.status == 200 ? .success : .failure("status \($0.status)") }
        }
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// The same redirect with `followRedirects: false`: the 302 itself is the response.
final class NoFollowUser: User {
    static let httpOptions = HTTPClientOptions(followRedirects: false)
    static let waitTime = WaitTime.constant(0.01)
    static let tasks: [UserTask<NoFollowUser>] = [
        UserTask("stay") {
            await $0.client.get("/redirect?to=/items/7", name: "/redirect-302") { $0.status == 302 ? .success : .failure("status \($0.status)") }
        }
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// Races `/slow?ms=3000` in a child task against a 200 ms sleep and cancels the loser: cancelling the
/// child task must abort its transfer, so each race takes about 200 ms (reported as a `RACE` row); the
/// aborted request itself is not recorded.
final class CancellingUser: User {
    static let waitTime = WaitTime.constant(0.05)
    static let tasks: [UserTask<CancellingUser>] = [
        UserTask("race") { user in
            let client = user.client
            let start = ContinuousClock.now
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = await client.get("/slow?ms=3000", name: "/slow-cancelled") }
                group.addTask { try? await Task.sleep(for: .milliseconds(200)) }
                await group.next()
                group.cancelAll()
            }
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            user.context.recordRequest(type: "RACE", name: "race", responseTime: milliseconds)
        }
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// Alternates a 200,000-byte and a 100-byte body from `/bytes` and checks every byte: the engine receives
/// large bodies through a larger buffer once a user's last body was large, and the switch must not lose
/// or mix a byte.
final class BodyUser: User {
    static let waitTime = WaitTime.constant(0.005)
    static let tasks: [UserTask<BodyUser>] = [
        UserTask("bodies") { user in
            for size in [200_000, 100] {
                await user.client.get("/bytes?n=\(size)", name: "/bytes \(size)") { response in
                    guard response.body.count == size else { return .failure("\(response.body.count) bytes, not \(size)") }
                    let pattern = Array("0123456789abcdef".utf8)
                    for (index, byte) in response.body.enumerated() where byte != pattern[index & 15] {
                        return .failure("byte \(index) is \(byte)")
                    }
                    return .success
                }
            }
        }
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}
