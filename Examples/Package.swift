// swift-tools-version: 6.2
import PackageDescription

import struct Foundation.URL

/// SwiftPM names a path dependency after its folder, and a clone may live in a folder of any name.
let atomo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Runnable examples of Atomo: the `crm-server` reference server, the `atomo` CLI and a program that
/// embeds only the event store. A separate package, so that a host depending on Atomo never resolves
/// what only the examples need (Hummingbird, ArgumentParser, Prometheus).
let package = Package(
    name: "AtomoExamples",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "atomo", targets: ["atomo"]),
        .executable(name: "crm-server", targets: ["crm-server"]),
        .executable(name: "embedded-events", targets: ["embedded-events"]),
    ],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    ],
    targets: [
        // Embeds only the event store: appends, reads, subscribes, and prints what it did.
        .executableTarget(
            name: "embedded-events",
            dependencies: [.product(name: "AtomoEvents", package: atomo)],
            swiftSettings: swiftSettings
        ),
        // What the CLI does without a server: loading schemas, code generation, workspaces, the event
        // log browser, replays, the projection benchmark. A library so tests call it directly.
        .target(
            name: "AtomoTooling",
            dependencies: [
                .product(name: "AtomoSchema", package: atomo),
                .product(name: "AtomoEvents", package: atomo),
                .product(name: "AtomoProjection", package: atomo),
                .product(name: "AtomoSQL", package: atomo),
                .product(name: "AtomoSQLite", package: atomo),
                .product(name: "AtomoPostgres", package: atomo),
            ],
            swiftSettings: swiftSettings
        ),
        // The reference server as a library: `crm-server`, `atomo dev` and the tests start it in-process.
        .target(
            name: "AtomoServer",
            dependencies: [
                "AtomoTooling",
                .product(name: "AtomoAuth", package: atomo),
                .product(name: "AtomoContent", package: atomo),
                .product(name: "AtomoGraphQL", package: atomo),
                .product(name: "AtomoSchema", package: atomo),
                .product(name: "AtomoEvents", package: atomo),
                .product(name: "AtomoProjection", package: atomo),
                .product(name: "AtomoSQL", package: atomo),
                .product(name: "AtomoSQLite", package: atomo),
                .product(name: "AtomoPostgres", package: atomo),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // `atomo`: init, schema export, generate, migrate, dev, codegen, replay, events, users, bench.
        .executableTarget(
            name: "atomo",
            dependencies: [
                "AtomoServer", "AtomoTooling",
                .product(name: "AtomoSchema", package: atomo),
                .product(name: "AtomoEvents", package: atomo),
                .product(name: "AtomoAuth", package: atomo),
                .product(name: "AtomoContent", package: atomo),
                .product(name: "AtomoProjection", package: atomo),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // `crm-server`: the reference server for services/crm-service/schema.ts.
        .executableTarget(
            name: "crm-server",
            dependencies: [
                "AtomoServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Black-box tests: servers started on free loopback ports, the CLI run as a child process.
        .testTarget(
            name: "AtomoExamplesTests",
            dependencies: [
                "AtomoServer", "AtomoTooling", "atomo", "crm-server",
                .product(name: "AtomoSchema", package: atomo),
                .product(name: "AtomoEvents", package: atomo),
                // TestEnvironment (skip or, under ATOMO_REQUIRE_ALL=1, fail) and HelperProcess.
                .product(name: "AtomoTesting", package: atomo),
                // A real websocket client for graphql-transport-ws tests.
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
