import LocustAPI

/// Tasks and sets with tags, all on `GET /?t=NAME` (nginx answers 200, its log keeps the name).
final class TaggedUser: User {
    static let waitTime = WaitTime.constant(0.01)
    static let tasks: [UserTask<TaggedUser>] = [
        UserTask("untagged") { await $0.hit("untagged") },
        UserTask("read", tags: ["read"]) { await $0.hit("read") },
        .set("admin", tags: ["admin"], tasks: [
            UserTask("report") { await $0.hit("admin-report") },
            UserTask("slow", tags: ["slow"]) { await $0.hit("admin-slow") },
            UserTask("leave") { _ in throw InterruptTaskSet() },
        ]),
        .sequence(
            "checkout", tags: ["checkout"], onStart: { await $0.hit("seq-start") }, onStop: { await $0.hit("seq-stop") },
            tasks: [
                UserTask("cart") { await $0.hit("seq-1") },
                UserTask("pay", weight: 2) { await $0.hit("seq-2") },
                UserTask("done") { user in
                    await user.hit("seq-3")
                    throw InterruptTaskSet()
                },
            ]),
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }

    func hit(_ name: String) async {
        await client.get("/", name: name, query: ["t": name])
    }
}

/// Exactly 3 users across the cluster (Locust's fixed_count), each saying so once.
final class FixedUser: User {
    static let fixedCount = 3
    static let waitTime = WaitTime.constant(0.1)
    static let tasks: [UserTask<FixedUser>] = [UserTask("fixed") { await $0.client.get("/", name: "fixed", query: ["t": "fixed"]) }]
    let context: UserContext
    init(context: UserContext) { self.context = context }
    func onStart() async throws { await client.get("/", name: "fixed-start", query: ["t": "fixed-start"]) }
}

/// The weighted rest beside FixedUser.
final class FillerUser: User {
    static let waitTime = WaitTime.constant(0.1)
    static let tasks: [UserTask<FillerUser>] = [UserTask("filler") { await $0.client.get("/", name: "filler", query: ["t": "filler"]) }]
    let context: UserContext
    init(context: UserContext) { self.context = context }
    func onStart() async throws { await client.get("/", name: "filler-start", query: ["t": "filler-start"]) }
}

/// Says its scenario options once, in the request's name (`opt-TENANT-PAGES-SEARCH-KEY?`), then idles.
final class OptionsUser: User {
    static let waitTime = WaitTime.constant(1)
    static let tasks: [UserTask<OptionsUser>] = [UserTask("idle") { _ in }]
    let context: UserContext
    init(context: UserContext) { self.context = context }

    func onStart() async throws {
        let options = context.options
        let name = [
            "opt", options.string("tenant") ?? "-", options.int("pages").map(String.init) ?? "-", String(options.bool("with-search")),
            options.string("api-key") == nil ? "nokey" : "key",
        ].joined(separator: "-")
        await client.get("/", name: name, query: ["t": name])
    }
}
