@_spi(Runner) import LocustAPI
import Testing

/// A user type only for reading its metadata through `UserClass`.
final class WeightedUser: User {
    static let weight = 4
    static let waitTime = WaitTime.between(1, 2)
    static let tasks: [UserTask<WeightedUser>] = [
        UserTask("often", weight: 3) { _ in },
        UserTask("rarely") { _ in },
        UserTask("never", weight: 0) { _ in },
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

struct TaskWeightTests {
    @Test func userClassCarriesMetadataForListingAndTheMaster() {
        let userClass = UserClass(WeightedUser.self)
        #expect(userClass.name == "WeightedUser")
        #expect(userClass.weight == 4)
        #expect(userClass.tasks.map(\.name) == ["often", "rarely", "never"])
        #expect(userClass.tasks.map(\.weight) == [3, 1, 0])
        #expect(userClass.waitTime == .between(1, 2))
    }
}
