/// An item of the demo shop's catalogue, as its JSON API returns it.
struct Item: Codable, Sendable {
    let id: Int
    let name: String
    let price: Double
}

/// A line added to the cart.
struct CartLine: Codable, Sendable {
    let itemId: Int
    let quantity: Int
}

/// The cart's summary.
struct CartSummary: Codable, Sendable {
    let items: Int
}
