import LocustAPI

/// The Shop's load shapes.
enum ShopShapes {
    /// Quiet, a rush of buyers for 20 s, quiet again, then the end (a minute in all).
    static let lunchRush = LoadShape("lunch-rush") { elapsed in
        switch elapsed {
        case ..<20: LoadShapeTick(users: 10, spawnRate: 5)
        case ..<40: LoadShapeTick(users: 40, spawnRate: 20)
        case ..<60: LoadShapeTick(users: 10, spawnRate: 20)
        default: nil
        }
    }
}
