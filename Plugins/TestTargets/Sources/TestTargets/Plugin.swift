import LocustAPI

@_cdecl("locust_plugin_entry")
public func locustPluginEntry() -> UnsafeMutableRawPointer {
    LocustPlugin.export(
        CountingUser.self, FailingUser.self, SlowUser.self, ThrowingUser.self, RefusedUser.self,
        CustomEventUser.self, PacedUser.self, InsecureTLSUser.self, MethodsUser.self, SessionUser.self, TimeoutUser.self,
        RedirectUser.self, NoFollowUser.self, CancellingUser.self, BodyUser.self, TaggedUser.self, FixedUser.self,
        FillerUser.self, shapes: [TestShapes.pulse, TestShapes.classes], hooks: TestHookLog.hooks)
}
