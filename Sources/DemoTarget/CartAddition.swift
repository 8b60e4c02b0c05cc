/// The JSON body of `POST /cart`: `{"itemId":Int,"quantity":Int}`; `quantity` defaults to 1.
struct CartAddition: Decodable, Equatable, Sendable {
    /// The catalog id of the item to add.
    var itemId: Int
    /// How many to add.
    var quantity: Int

    /// The largest quantity one request may add.
    static let maximumQuantity = 1_000

    private enum CodingKeys: String, CodingKey {
        case itemId
        case quantity
    }

    /// Creates an addition directly.
    init(itemId: Int, quantity: Int) {
        self.itemId = itemId
        self.quantity = quantity
    }

    /// Decodes the body; a missing `quantity` means 1.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        itemId = try container.decode(Int.self, forKey: .itemId)
        quantity = try container.decodeIfPresent(Int.self, forKey: .quantity) ?? 1
    }
}
