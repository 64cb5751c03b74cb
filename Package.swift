// swift-tools-version: 6.2
import PackageDescription

/// Every target is compiled in the Swift 6 language mode with the same upcoming features, so that
/// existentials are spelled `any`, imports are explicit, and no module leaks its imports to clients.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Atomo",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AtomoSQL", targets: ["AtomoSQL"]),
        .library(name: "AtomoSQLite", targets: ["AtomoSQLite"]),
        .library(name: "AtomoEvents", targets: ["AtomoEvents"]),
        .library(name: "AtomoProjection", targets: ["AtomoProjection"]),
        .library(name: "AtomoTesting", targets: ["AtomoTesting"]),
        .library(name: "AtomoCRDT", targets: ["AtomoCRDT"]),
        .library(name: "AtomoPostgres", targets: ["AtomoPostgres"]),
        .library(name: "AtomoSchema", targets: ["AtomoSchema"]),
        .library(name: "AtomoContent", targets: ["AtomoContent"]),
        .library(name: "AtomoAuth", targets: ["AtomoAuth"]),
        .library(name: "AtomoGraphQL", targets: ["AtomoGraphQL"]),
    ],
    dependencies: [
        // API package only: hosts choose the metrics backend (DESIGN.md, "Library modules").
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // API package only: libraries accept a Logger; hosts bootstrap the logging backend.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // Imported by AtomoPostgres alone.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Imported by AtomoGraphQL alone: parser, validator, type system and the reference executor.
        .package(url: "https://github.com/GraphQLSwift/GraphQL.git", from: "4.3.0"),
        // GraphQL's Map and field maps are OrderedDictionary.
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        // Imported by AtomoAuth alone: JWTs (jwt-kit) and the HMAC fast path (swift-crypto, which jwt-kit needs anyway).
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.1.0"),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        // argon2id password hashing (Debian: libargon2-dev).
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"]), .brew(["argon2"])]),
        // crypt_rn from libxcrypt, to verify bcrypt hashes of older systems (Debian: libcrypt-dev).
        .systemLibrary(name: "CCrypt", pkgConfig: "libcrypt", providers: [.apt(["libcrypt-dev"]), .brew(["libxcrypt"])]),

        // Libraries, in the order of DESIGN.md: a module imports only modules listed above it.
        .target(name: "AtomoSQL", swiftSettings: swiftSettings),
        // The "atomo-wal" SQLite VFS (C): the default VFS, writing a commit's WAL frames in 128 KiB writes.
        .target(name: "CSQLiteWAL", dependencies: ["CSQLite"]),
        .target(name: "AtomoSQLite", dependencies: ["AtomoSQL", "CSQLite", "CSQLiteWAL"], swiftSettings: swiftSettings),
        .target(name: "AtomoEvents", dependencies: ["AtomoSQL", "AtomoSQLite"], swiftSettings: swiftSettings),
        .target(
            name: "AtomoProjection",
            dependencies: [
                "AtomoEvents", "AtomoSQL", .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "AtomoSchema", swiftSettings: swiftSettings),
        .target(
            name: "AtomoContent",
            dependencies: [
                "AtomoEvents", "AtomoProjection", "AtomoSchema", "AtomoSQL", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "AtomoCRDT", swiftSettings: swiftSettings),
        .target(
            name: "AtomoTesting", dependencies: ["AtomoEvents", "AtomoProjection", "AtomoSQL"], swiftSettings: swiftSettings),
        .target(
            name: "AtomoPostgres",
            dependencies: [
                "AtomoSQL", "AtomoEvents", "AtomoProjection", .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AtomoAuth",
            dependencies: [
                "AtomoSchema", "AtomoSQL", "AtomoEvents", "CArgon2", "CCrypt",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Resources/common-passwords.NOTICE.md"],
            resources: [.copy("Resources/common-passwords.txt")],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "AtomoGraphQL",
            dependencies: [
                "AtomoSchema", "AtomoEvents", "AtomoContent", "AtomoAuth", .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),

        // Test support: a process that appends in a loop so that tests can SIGKILL it mid-write.
        .executableTarget(
            name: "AtomoCrashWriter",
            dependencies: ["AtomoEvents"],
            path: "Tests/Support/AtomoCrashWriter",
            swiftSettings: swiftSettings
        ),
        // Test support: a process that appends to a PostgreSQL event store, for the cross-process test.
        .executableTarget(
            name: "AtomoPostgresWriter",
            dependencies: ["AtomoPostgres"],
            path: "Tests/Support/AtomoPostgresWriter",
            swiftSettings: swiftSettings
        ),

        // Test support: a projection runner that tests SIGKILL mid-catch-up (exactly-once checks).
        .executableTarget(
            name: "AtomoProjectionWorker",
            dependencies: ["AtomoEvents", "AtomoProjection", "AtomoSQL", "AtomoSQLite"],
            path: "Tests/Support/AtomoProjectionWorker",
            swiftSettings: swiftSettings
        ),

        // Test support: a projection runner on PostgreSQL (log, read model, checkpoint and leadership),
        // which tests SIGKILL mid-catch-up and while it leads.
        .executableTarget(
            name: "AtomoPostgresProjectionWorker",
            dependencies: ["AtomoEvents", "AtomoProjection", "AtomoSQL", "AtomoPostgres"],
            path: "Tests/Support/AtomoPostgresProjectionWorker",
            swiftSettings: swiftSettings
        ),

        // Tests.
        .testTarget(name: "AtomoSchemaTests", dependencies: ["AtomoSchema"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(
            name: "AtomoGraphQLTests",
            dependencies: [
                "AtomoGraphQL", "AtomoContent", "AtomoAuth", "AtomoSchema", "AtomoEvents", "AtomoSQL", "AtomoSQLite",
                "AtomoTesting", .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AtomoContentTests",
            dependencies: [
                "AtomoContent", "AtomoSchema", "AtomoEvents", "AtomoProjection", "AtomoSQL", "AtomoSQLite", "AtomoPostgres",
                "AtomoTesting",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "AtomoCRDTTests", dependencies: ["AtomoCRDT", "AtomoTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "AtomoSQLiteTests", dependencies: ["AtomoSQL", "AtomoSQLite", "AtomoTesting", "CSQLite", "CSQLiteWAL"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AtomoEventsTests",
            dependencies: ["AtomoEvents", "AtomoSQLite", "AtomoTesting", "AtomoCrashWriter"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AtomoProjectionTests",
            dependencies: [
                "AtomoProjection", "AtomoEvents", "AtomoSQL", "AtomoSQLite", "AtomoTesting", "AtomoProjectionWorker",
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AtomoPostgresTests",
            dependencies: [
                "AtomoPostgres", "AtomoProjection", "AtomoSQL", "AtomoTesting", "AtomoPostgresWriter",
                "AtomoPostgresProjectionWorker",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AtomoAuthTests",
            dependencies: [
                "AtomoAuth", "AtomoSchema", "AtomoSQL", "AtomoSQLite", "AtomoEvents", "AtomoPostgres", "AtomoTesting",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
