import NIOCore

/// The demo shop's fixed catalog of 1000 items, with every JSON body rendered once at start-up so that
/// serving an item costs no encoding.
struct ShopCatalog: Sendable {
    /// How many items exist; ids run from 1 through this.
    static let itemCount = 1000
    /// How many items `GET /items` lists.
    static let listedItemCount = 20

    /// Every item, at index `id - 1`.
    let items: [ShopItem]
    /// The JSON body of each item, at index `id - 1`.
    private let itemBodies: [ByteBuffer]
    /// The JSON array body of `GET /items`.
    let listBody: ByteBuffer

    /// Builds the catalog; names and prices are derived from the id, so every run serves the same data.
    init() {
        let adjectives = ["Red", "Sturdy", "Tiny", "Golden", "Quiet", "Rustic", "Shiny", "Cozy", "Swift", "Vintage"]
        let nouns = ["Mug", "Lamp", "Chair", "Kettle", "Backpack", "Notebook", "Clock", "Scarf", "Teapot", "Plant"]
        let items = (1...Self.itemCount).map { id in
            let adjective = adjectives[(id - 1) % adjectives.count]
            let noun = nouns[(id - 1) / adjectives.count % nouns.count]
            let cents = 199 + (id * 7_919) % 9_800
            return ShopItem(id: id, name: "\(adjective) \(noun) #\(id)", price: Double(cents) / 100)
        }
        self.items = items
        self.itemBodies = items.map { ByteBuffer(string: $0.json) }
        let listed = items.prefix(Self.listedItemCount).map(\.json).joined(separator: ",")
        self.listBody = ByteBuffer(string: "[\(listed)]")
    }

    /// The JSON body of item `id`, or `nil` when there is no such item.
    func body(ofItem id: Int) -> ByteBuffer? {
        guard (1...Self.itemCount).contains(id) else { return nil }
        return itemBodies[id - 1]
    }

    /// Whether an item with this id exists.
    func contains(itemID id: Int) -> Bool {
        (1...Self.itemCount).contains(id)
    }
}
