// swift-tools-version:6.0
// LocustAPI: the library scenario authors import. It is a package of its own so that the runner and
// every scenario plugin link the same dynamic `libLocustAPI.so` (see docs/ARCHITECTURE.md).
import PackageDescription

// Library evolution warns once per file that imports Foundation publicly ("module 'Foundation' was not
// compiled with library evolution support"): expected, since Foundation ships with the toolchain the
// runner and every plugin share. Scenario builds would print them on every first build, so LocustAPI's
// warnings are silenced unless LOCUSTAPI_WARNINGS=1 (`make build` sets it, so this project still sees them).
let warningFlags: [String] = Context.environment["LOCUSTAPI_WARNINGS"] == "1" ? [] : ["-suppress-warnings"]

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
                .unsafeFlags(["-enable-library-evolution"] + warningFlags),
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
            ]
        ),
    ]
)
