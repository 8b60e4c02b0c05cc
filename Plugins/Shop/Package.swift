// swift-tools-version:6.0
// The example scenario: a shop's visitors and buyers against `locust-demo-target`.
import PackageDescription

let package = Package(
    name: "Shop",
    products: [.library(name: "Shop", type: .dynamic, targets: ["Shop"])],
    dependencies: [.package(path: "../../Sources/LocustAPI")],
    targets: [
        .target(name: "Shop", dependencies: [.product(name: "LocustAPI", package: "LocustAPI")])
    ]
)
