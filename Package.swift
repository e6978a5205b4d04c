// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "hostico",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hostico", targets: ["hostico"]),
        // The lifecycle model check at full size, built -c release by `make test` (Sources/LifecycleModelCheck).
        .executable(name: "hostico-lifecycle-model", targets: ["LifecycleModelCheck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // ANAF answers with ZIP files (the signed invoice, or its error file).
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        // Pure business rules: no I/O, no clock, no randomness.
        .target(name: "Domain", swiftSettings: strict),
        // Use cases and the ports they need.
        .target(
            name: "Features",
            dependencies: [
                "Domain",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // SQL stores for SQLite and PostgreSQL through one SQLKit code path.
        .target(
            name: "Storage",
            dependencies: [
                "Domain", "Features",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // JSON API for staff and integrations, described by OpenAPI 3.1.
        .target(
            name: "API",
            dependencies: [
                "Domain", "Features", "Documents",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // Message templates (Mustache) and transports: SMTP, SMPP, Kannel, the development outbox folder.
        // cairo + pango from the system (apt libpango1.0-dev libcairo2-dev), for invoice PDFs.
        .systemLibrary(
            name: "CPangoCairo", pkgConfig: "pangocairo", providers: [.apt(["libpango1.0-dev", "libcairo2-dev"])]),
        .target(name: "Documents", dependencies: ["Domain", "Features", "CPangoCairo"], swiftSettings: strict),
        // libqrencode from the system (apt libqrencode-dev), for the 2FA set-up QR code.
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // Client area and staff area: server-rendered pages (Mustache), sessions, CSRF, forms.
        .target(
            name: "Web",
            dependencies: [
                "Domain", "Features", "Documents", "CQRencode",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Templates"), .copy("Assets")],
            swiftSettings: strict
        ),
        .target(
            name: "Messaging",
            dependencies: [
                "Domain", "Features",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Card payments: the Stripe REST API (PaymentIntents, refunds) and its signed webhooks.
        .target(
            name: "Payments",
            dependencies: [
                "Domain", "Features",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Romanian e-Factura: ANAF's REST API (OAuth 2.0, upload, status, download) over AsyncHTTPClient.
        .target(
            name: "ANAF",
            dependencies: [
                "Features",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: strict
        ),
        // Configuration read once, live dependencies, the service group.
        .target(
            name: "Bootstrap",
            dependencies: [
                "Domain", "Features", "Storage", "API", "Messaging", "Documents", "Web", "Payments", "ANAF",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "hostico",
            // The command line parses options and prints; every command is one call on Bootstrap's `Installation`.
            dependencies: ["Bootstrap", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "LifecycleModelCheck",
            dependencies: [
                "TestSupport", "Storage", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Domain", "Features", "Storage", "Bootstrap", "ANAF", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "DomainTests", dependencies: ["Domain"], swiftSettings: strict),
        .testTarget(
            name: "ProvisioningTests", dependencies: ["Domain", "Features", "Bootstrap", "Storage", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "DocumentsTests", dependencies: ["Domain", "Features", "Documents", "TestSupport"],
            swiftSettings: strict),
        // The e-Factura upload worker and the ANAF client against the ANAF peer (scripts/peers/anaf_sim.py).
        .testTarget(
            name: "ANAFTests",
            dependencies: [
                "Domain", "Features", "ANAF", "Documents", "Storage", "Bootstrap", "TestSupport",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FeaturesTests",
            dependencies: [
                "Domain", "Features", "Storage", "TestSupport", .product(name: "SQLKit", package: "sql-kit"),
            ], swiftSettings: strict),
        .testTarget(
            name: "StorageTests", dependencies: ["Domain", "Features", "Storage", "TestSupport"], swiftSettings: strict),
        // Runs the built `hostico` binary as a user would (and kills it with SIGKILL mid-run).
        .testTarget(
            name: "CLITests",
            dependencies: [
                "Bootstrap", "Domain", "Features", "Storage", "TestSupport",
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: strict),
        // Templates, MIME, SMS rules end to end, and the transports against real servers (aiosmtpd, smpp34).
        .testTarget(
            name: "MessagingTests",
            dependencies: [
                "Domain", "Features", "Messaging", "Storage", "TestSupport", "Bootstrap", "Documents",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        // The client and staff areas in-process over HTTP, and the page snapshots.
        .testTarget(
            name: "WebTests",
            dependencies: [
                "Domain", "Features", "Storage", "Web", "Bootstrap", "TestSupport", "Payments",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["__Snapshots__"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "APITests",
            dependencies: [
                "Domain", "Features", "Storage", "API", "Bootstrap", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
    ]
)
