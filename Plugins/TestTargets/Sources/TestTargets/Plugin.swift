import LocustAPI

@_cdecl("locust_plugin_entry")
public func locustPluginEntry() -> UnsafeMutableRawPointer {
    LocustPlugin.export(
        CountingUser.self, FailingUser.self, SlowUser.self, ThrowingUser.self, RefusedUser.self,
        CustomEventUser.self, PacedUser.self, InsecureTLSUser.self, MethodsUser.self, SessionUser.self, TimeoutUser.self,
        RedirectUser.self, NoFollowUser.self, CancellingUser.self, BodyUser.self, TaggedUser.self, FixedUser.self,
        FillerUser.self, OptionsUser.self, Paced10User.self,
        options: [
            .string("tenant", default: "acme", help: "Which tenant the users log in to", choices: ["acme", "globex"]),
            .int("pages", default: 1, help: "Pages per visit"),
            .flag("with-search", help: "Also search"),
            .string("api-key", help: "The admin key", secret: true),
        ],
        shapes: [TestShapes.pulse, TestShapes.classes], hooks: TestHookLog.hooks)
}
