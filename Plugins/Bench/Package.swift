// swift-tools-version:6.0
// Users for the benchmark suite (bench/bench.py, `make bench`): no-wait and paced GETs against nginx and
// the demo target's delayed endpoint.
import PackageDescription

let package = Package(
    name: "Bench",
    products: [.library(name: "Bench", type: .dynamic, targets: ["Bench"])],
    dependencies: [.package(path: "../../Sources/LocustAPI")],
    targets: [
        .target(name: "Bench", dependencies: [.product(name: "LocustAPI", package: "LocustAPI")])
    ]
)
