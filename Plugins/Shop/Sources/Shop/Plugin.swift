import LocustAPI

@_cdecl("locust_plugin_entry")
public func locustPluginEntry() -> UnsafeMutableRawPointer {
    LocustPlugin.export(Browser.self, Buyer.self, hooks: ShopTotals.hooks)
}
