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

/// Runnable examples of Atomo. A separate package, so that a host depending on Atomo never
/// resolves what only the examples need.
let package = Package(
    name: "AtomoExamples",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "..")
    ],
    targets: [
        // Embeds only the event store: appends, reads, subscribes, and prints what it did.
        .executableTarget(
            name: "embedded-events",
            dependencies: [.product(name: "AtomoEvents", package: atomo)],
            swiftSettings: swiftSettings
        )
    ]
)
