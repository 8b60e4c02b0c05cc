// swift-tools-version:6.0
// Users for the integration tests: each class exercises one behaviour against nginx or the demo target.
import PackageDescription

let package = Package(
    name: "TestTargets",
    products: [.library(name: "TestTargets", type: .dynamic, targets: ["TestTargets"])],
    dependencies: [.package(path: "../../Sources/LocustAPI")],
    targets: [
        .target(name: "TestTargets", dependencies: [.product(name: "LocustAPI", package: "LocustAPI")])
    ]
)
