import LocustAPI

/// A customer who logs in, fills a cart with JSON requests and logs out.
final class Buyer: User {
    static let weight = 1
    static let waitTime = WaitTime.constantPacing(0.25)
    static let tasks: [UserTask<Buyer>] = [
        UserTask("add to cart", weight: 3, tags: ["buy"]) { try await $0.addToCart() },
        UserTask("view cart", tags: ["buy"]) { await $0.viewCart() },
        UserTask("slow search", tags: ["search"]) { await $0.client.get("/slow", name: "/slow", query: ["ms": "20"]) },
    ]

    let context: UserContext
    private var added = 0

    init(context: UserContext) {
        self.context = context
    }

    func onStart() async throws {
        let response = await client.post(
            "/login", body: .form(["username": "buyer\(context.userID)", "password": "secret"]))
        if !response.ok { throw StopUser() }
    }

    func addToCart() async throws {
        let line = CartLine(itemId: Int.random(in: 1...max(1, context.options.int("items") ?? 1000)), quantity: 1)
        let response = await client.post("/cart", body: try .json(line)) { response in
            guard response.status == 200 else { return .automatic }
            guard let summary = try? response.json(CartSummary.self) else { return .failure("cart answer is not JSON") }
            return summary.items > 0 ? .success : .failure("cart is empty after adding")
        }
        if response.ok {
            added += 1
            ShopTotals.cartLines.add(1, ordering: .relaxed)
        }
    }

    func viewCart() async {
        await client.get("/cart")
    }

    func onStop() async throws {
        await client.post("/logout")
    }
}
