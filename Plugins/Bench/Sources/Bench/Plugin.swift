import LocustAPI

@_cdecl("locust_plugin_entry")
public func locustPluginEntry() -> UnsafeMutableRawPointer {
    LocustPlugin.export(NoWaitUser.self, BigUser.self, PacedUser.self, SlowUser.self)
}
