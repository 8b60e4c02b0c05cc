/// One product of the demo shop.
struct ShopItem: Equatable, Sendable {
    /// The item's id, 1 through `ShopCatalog.itemCount`.
    let id: Int
    /// A display name.
    let name: String
    /// The price, with two decimals.
    let price: Double

    /// The item as a JSON object `{"id":Int,"name":String,"price":Double}`.
    var json: String {
        "{\"id\":\(id),\"name\":\(JSONText.quoted(name)),\"price\":\(price)}"
    }
}
