import LocustAPI

@_cdecl("locust_plugin_entry")
public func locustPluginEntry() -> UnsafeMutableRawPointer {
    LocustPlugin.export(
        Browser.self, Buyer.self,
        options: [.int("items", default: 1000, help: "How many items the catalogue has: buyers add ids from 1 to this")],
        // Two shapes, so that neither runs unless asked: `--shape lunch-rush` or `--shape ramp`.
        shapes: [ShopShapes.lunchRush, .steps("ramp", users: 10, every: 10, upTo: 50, for: 60)],
        hooks: ShopTotals.hooks)
}
