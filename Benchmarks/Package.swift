// swift-tools-version: 6.3
import PackageDescription

import struct Foundation.URL

/// SwiftPM names a path dependency after its folder, and a clone may live in a folder of any name.
let atomo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

/// The benchmark package depends on the root package by path, so a host application that depends on
/// Atomo never resolves the benchmark harness.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "AtomoBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // The events both benchmark executables append, so that they measure the same rows.
        .target(
            name: "EventsWorkload",
            dependencies: [.product(name: "AtomoEvents", package: atomo)],
            swiftSettings: swiftSettings
        ),
        // The events workload's plan, timing and options, shared by `atomo-bench events` and
        // `atomo-bench-events`.
        .target(
            name: "EventsMeasurement",
            dependencies: [
                "EventsWorkload",
                .product(name: "AtomoEvents", package: atomo),
                .product(name: "AtomoSQLite", package: atomo),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // `atomo-bench`: the command-line benchmark users run on their own hardware.
        .executableTarget(
            name: "atomo-bench",
            dependencies: [
                "EventsWorkload",
                "EventsMeasurement",
                .product(name: "AtomoEvents", package: atomo),
                .product(name: "AtomoCRDT", package: atomo),
                .product(name: "AtomoProjection", package: atomo),
                .product(name: "AtomoSQL", package: atomo),
                .product(name: "AtomoSQLite", package: atomo),
                .product(name: "AtomoPostgres", package: atomo),
                .product(name: "AtomoAuth", package: atomo),
                .product(name: "AtomoContent", package: atomo),
                .product(name: "AtomoGraphQL", package: atomo),
                .product(name: "AtomoSchema", package: atomo),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // `atomo-bench-events`: `atomo-bench events` on SQLite alone, linking only the event store
        // (no PostgreSQL, TLS or GraphQL to compile), for `peers/compare events-sqlite`.
        .executableTarget(
            name: "atomo-bench-events",
            dependencies: [
                "EventsMeasurement",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // package-benchmark suites (`swift package --package-path Benchmarks benchmark`).
        .executableTarget(
            name: "EventsBenchmarks",
            dependencies: [
                "EventsWorkload",
                .product(name: "AtomoEvents", package: atomo),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/EventsBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ProjectionBenchmarks",
            dependencies: [
                .product(name: "AtomoEvents", package: atomo),
                .product(name: "AtomoProjection", package: atomo),
                .product(name: "AtomoSQL", package: atomo),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ProjectionBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "AuthBenchmarks",
            dependencies: [
                .product(name: "AtomoAuth", package: atomo),
                .product(name: "AtomoEvents", package: atomo),
                .product(name: "AtomoSQLite", package: atomo),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/AuthBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
