// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "SwiftLocust",
    products: [
        .executable(name: "locust", targets: ["locust"]),
        .executable(name: "locust-demo-target", targets: ["DemoTarget"]),
        .executable(name: "locust-slave-sim", targets: ["SlaveSimulator"]),
    ],
    dependencies: [
        // The dynamic library that the runner and every scenario plugin share at run time.
        .package(path: "Sources/LocustAPI"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The web UI's server (HTTP/1.1, routing, TLS) and its basic authentication; no default traits
        // (swift-configuration support is not used).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // MessagePack: the encoding of every coordinator message (Locust's wire), values and a streaming
        // reader/writer.
        .target(name: "MessagePack"),
        // libzmq (ZeroMQ 4.3, the library pyzmq wraps), for Locust's ROUTER/DEALER coordinator sockets.
        .systemLibrary(
            name: "CZeroMQ",
            path: "Sources/CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        // Statistics: entries per (method, name), mergeable histograms, history, CSV and console output.
        .target(
            name: "LocustStats",
            dependencies: ["MessagePack", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        // The runner: plugin loading, the user spawner, the run state machine, the command line.
        .target(
            name: "LocustRunner",
            dependencies: [
                "LocustStats", "MessagePack", "CZeroMQ",
                .product(name: "LocustAPI", package: "LocustAPI"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Runner",
            exclude: ["Web/Assets"]
        ),
        .executableTarget(name: "locust", dependencies: ["LocustRunner"]),
        // A small HTTP server that the example scenario runs against in `make demo`.
        .executableTarget(
            name: "DemoTarget",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "LocustStatsTests", dependencies: ["LocustStats", "MessagePack"]),
        .testTarget(name: "MessagePackTests", dependencies: ["MessagePack"]),
        .testTarget(
            name: "LocustRunnerTests",
            dependencies: ["LocustRunner", .product(name: "LocustAPI", package: "LocustAPI")],
            exclude: ["CLI/Snapshots"]
        ),
        .testTarget(name: "IntegrationTests", dependencies: []),
        // Many simulated slaves in one process, to measure a master at scale (scripts/master-scale.sh).
        .executableTarget(
            name: "SlaveSimulator",
            dependencies: [
                "LocustRunner", "LocustStats", .product(name: "LocustAPI", package: "LocustAPI"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ClusterTests",
            dependencies: [
                "LocustRunner", "LocustStats", "MessagePack", "CZeroMQ",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
