import Testing
@testable import LocustAPI

struct ConnectionSlotTests {
    @Test("Users fill groups of usersPerGroup in order; every user gets a distinct, non-zero key")
    func groupsFillInOrder() {
        var allocator = ConnectionSlot.Allocator()
        let perGroup = ConnectionGroup.usersPerGroup
        let slots = (0..<(perGroup * 2 + 1)).map { _ in allocator.allocate() }
        #expect(slots.prefix(perGroup).allSatisfy { $0.slot.group == 0 })
        #expect(slots.dropFirst(perGroup).prefix(perGroup).allSatisfy { $0.slot.group == 1 })
        #expect(slots.last?.slot.group == 2)
        let scopes = Set(slots.map(\.slot.scope))
        #expect(scopes.count == slots.count)
        #expect(!scopes.contains(0))
    }

    @Test("A stopped user's place is reused, with a fresh key so that no connection is inherited")
    func placesAreReusedWithFreshKeys() {
        var allocator = ConnectionSlot.Allocator()
        let first = (0..<10).map { _ in allocator.allocate() }
        allocator.release(place: first[3].place)
        let next = allocator.allocate()
        #expect(next.place == first[3].place)
        #expect(next.slot.group == first[3].slot.group)
        #expect(!first.map(\.slot.scope).contains(next.slot.scope))
    }
}
