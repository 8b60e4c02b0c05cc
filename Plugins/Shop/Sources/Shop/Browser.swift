import LocustAPI

/// An anonymous visitor: the home page, then a stay in the catalogue (a nested task set: the list,
/// single items grouped under one name, a missing one) until it goes back home.
///
/// Tags: `-T browse` runs only the catalogue, `-E catalogue` leaves it out.
final class Browser: User {
    static let weight = 3
    static let waitTime = WaitTime.between(0.05, 0.2)
    static let tasks: [UserTask<Browser>] = [
        UserTask("home", weight: 2, tags: ["browse"]) { await $0.client.get("/") },
        .set("catalogue", weight: 6, tags: ["browse", "catalogue"], onStart: { try await $0.catalogue() }, tasks: [
            UserTask("item", weight: 4) { await $0.item() },
            UserTask("missing item") { await $0.missingItem() },
            UserTask("back home") { _ in throw InterruptTaskSet() },
        ]),
    ]

    let context: UserContext
    private var seen: [Int] = []

    init(context: UserContext) {
        self.context = context
    }

    func catalogue() async throws {
        let response = await client.get("/items")
        // Decoding errors are thrown: they are counted as exceptions and the user goes on.
        seen = try response.json([Item].self).map(\.id)
    }

    func item() async {
        let id = seen.randomElement() ?? Int.random(in: 1...1000)
        await client.get("/items/\(id)", name: "/items/[id]")
    }

    func missingItem() async {
        // A 404 is what we expect here: validation turns it into a success.
        await client.get("/items/0", name: "/items/[missing]") { response in
            response.status == 404 ? .success : .failure("expected 404, got \(response.status)")
        }
    }
}
