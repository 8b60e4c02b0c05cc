import LocustAPI

/// Load shapes for the integration tests (two, so that none runs unless `--shape` names it).
enum TestShapes {
    /// 2 users for 2 s, 4 for 2 s more, then the end.
    static let pulse = LoadShape("pulse") { elapsed in
        switch elapsed {
        case ..<2: LoadShapeTick(users: 2, spawnRate: 10)
        case ..<4: LoadShapeTick(users: 4, spawnRate: 10)
        default: nil
        }
    }

    /// 2 PacedUsers, then 3 CountingUsers instead: a shape that picks classes.
    static let classes = LoadShape("classes") { elapsed in
        switch elapsed {
        case ..<2: LoadShapeTick(users: 2, spawnRate: 10, userClasses: ["PacedUser"])
        case ..<4: LoadShapeTick(users: 3, spawnRate: 10, userClasses: ["FillerUser"])
        default: nil
        }
    }
}
