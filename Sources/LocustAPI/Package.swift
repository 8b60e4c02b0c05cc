// swift-tools-version:6.0
// LocustAPI: the library scenario authors import. It is a package of its own so that the runner and
// every scenario plugin link the same dynamic `libLocustAPI.so` (see docs/ARCHITECTURE.md).
import PackageDescription

let package = Package(
    name: "LocustAPI",
    products: [
        .library(name: "LocustAPI", type: .dynamic, targets: ["LocustAPI"])
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            path: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "LocustAPI",
            dependencies: ["CCurl"],
            path: ".",
            exclude: ["Package.swift", "CCurl"],
            swiftSettings: [
                .unsafeFlags(["-enable-library-evolution"]),
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
            ]
        ),
    ]
)
