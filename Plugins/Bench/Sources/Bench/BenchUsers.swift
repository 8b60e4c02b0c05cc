import LocustAPI

/// GET / (about 100 bytes from nginx) with no wait: throughput and CPU per request.
final class NoWaitUser: User {
    static let tasks: [UserTask<NoWaitUser>] = [UserTask("small") { await $0.client.get("/") }]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// GET /64k (a 65,536-byte file from nginx) with no wait.
final class BigUser: User {
    static let tasks: [UserTask<BigUser>] = [UserTask("big") { await $0.client.get("/64k") }]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// GET / once per second per user: the paced rate equals the user count.
final class PacedUser: User {
    static let waitTime = WaitTime.constantPacing(1)
    static let tasks: [UserTask<PacedUser>] = [UserTask("paced") { await $0.client.get("/") }]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// GET /slow?ms=50 on locust-demo-target with no wait: the reported latency beside wrk's.
final class SlowUser: User {
    static let tasks: [UserTask<SlowUser>] = [
        UserTask("slow") { await $0.client.get("/slow?ms=50", name: "/slow") }
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}
