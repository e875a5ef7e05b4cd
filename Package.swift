// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "keybridge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "keybridge", targets: ["keybridge"]),
        .executable(name: "keybridge-server", targets: ["keybridge-server"]),
        .library(name: "KeyBridgeWebAuthn", targets: ["KeyBridgeWebAuthn"]),
        .library(name: "KeyBridgeMetadata", targets: ["KeyBridgeMetadata"]),
        .library(name: "KeyBridgeFIDO", targets: ["KeyBridgeFIDO"]),
        .library(name: "KeyBridgeCBOR", targets: ["KeyBridgeCBOR"]),
        .library(name: "KeyBridgePCSC", targets: ["KeyBridgePCSC"]),
        .library(name: "KeyBridgeOATH", targets: ["KeyBridgeOATH"]),
        .library(name: "KeyBridgeYKOATH", targets: ["KeyBridgeYKOATH"]),
        .library(name: "KeyBridgeVirtualCard", targets: ["KeyBridgeVirtualCard"]),
        .library(name: "KeyBridgeAuthenticator", targets: ["KeyBridgeAuthenticator"]),
        .library(name: "KeyBridgeRegistration", targets: ["KeyBridgeRegistration"]),
        .library(name: "KeyBridgeEnrollment", targets: ["KeyBridgeEnrollment"]),
        .library(name: "KeyBridgeServer", targets: ["KeyBridgeServer"]),
        .library(name: "KeyBridgeGraphClient", targets: ["KeyBridgeGraphClient"]),
        .library(name: "KeyBridgeRegistrationPostgres", targets: ["KeyBridgeRegistrationPostgres"]),
        .library(name: "KeyBridgeRig", targets: ["KeyBridgeRig"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.3.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        // MARK: C shims (Debian packages, found through pkg-config)
        .systemLibrary(
            name: "CFido2", pkgConfig: "libfido2",
            providers: [.apt(["libfido2-dev"])]),
        .target(name: "CPCSCLite", linkerSettings: [.linkedLibrary("pcsclite")]),
        .systemLibrary(
            name: "CUdev", pkgConfig: "libudev",
            providers: [.apt(["libudev-dev"])]),
        .systemLibrary(
            name: "CCbor", pkgConfig: "libcbor",
            providers: [.apt(["libcbor-dev"])]),

        // MARK: Libraries
        .target(name: "KeyBridgeCBOR"),
        .target(name: "KeyBridgePCSC", dependencies: ["CPCSCLite"]),
        .target(
            name: "KeyBridgeOATH",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]),
        .target(
            name: "KeyBridgeYKOATH",
            dependencies: [
                "KeyBridgeOATH", "KeyBridgePCSC",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]),
        // WebAuthn shapes and relying-party verification: no hardware library (a server links this).
        .target(
            name: "KeyBridgeWebAuthn",
            dependencies: [
                "KeyBridgeCBOR",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ]),
        // FIDO Metadata Service (MDS3): BLOB verification and payload parsing, no storage.
        .target(
            name: "KeyBridgeMetadata",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]),
        .target(
            name: "KeyBridgeFIDO",
            dependencies: [
                "CFido2", "CUdev", "KeyBridgeCBOR", "KeyBridgePCSC", "KeyBridgeWebAuthn",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "KeyBridgeAuthenticator",
            dependencies: [
                "KeyBridgeCBOR",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]),
        .target(
            name: "KeyBridgeVirtualCard",
            dependencies: [
                "KeyBridgeAuthenticator", "KeyBridgeYKOATH", "KeyBridgePCSC",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "KeyBridgeRegistration",
            dependencies: [
                "KeyBridgeCBOR", "KeyBridgeOATH", "KeyBridgeWebAuthn", "KeyBridgeMetadata",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
            ],
            resources: [.process("Resources")]),
        .target(
            name: "KeyBridgeRegistrationPostgres",
            dependencies: [
                "KeyBridgeRegistration",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "KeyBridgeEnrollment",
            dependencies: ["KeyBridgeFIDO", "KeyBridgeRegistration", "KeyBridgeCBOR"]),
        // A client of `keybridge serve` / Microsoft Graph (Foundation's URLSession only).
        .target(
            name: "KeyBridgeGraphClient",
            dependencies: ["KeyBridgeFIDO", "KeyBridgeRegistration", "KeyBridgeEnrollment"]),

        // The test rig: its own raw CTAPHID / ISO 7816 client (a conformance tester must send what
        // libfido2 never would), the CTAP 2.1 suite, endurance timing and reports.
        .target(
            name: "KeyBridgeRig",
            dependencies: [
                "KeyBridgeFIDO", "KeyBridgePCSC", "KeyBridgeCBOR", "KeyBridgeWebAuthn",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]),

        // MARK: Interfaces
        .target(
            name: "KeyBridgeServer",
            dependencies: [
                "KeyBridgeRegistration", "KeyBridgeRegistrationPostgres", "KeyBridgeWebAuthn",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/web")]),
        .executableTarget(
            name: "keybridge",
            dependencies: [
                "KeyBridgeFIDO", "KeyBridgeAuthenticator", "KeyBridgeVirtualCard", "KeyBridgeYKOATH", "KeyBridgePCSC",
                "KeyBridgeRegistration", "KeyBridgeRegistrationPostgres", "KeyBridgeEnrollment", "KeyBridgeServer",
                "KeyBridgeGraphClient", "KeyBridgeRig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),

        .executableTarget(
            name: "keybridge-server",
            dependencies: ["KeyBridgeServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // MARK: Tests
        .target(name: "KeyBridgeTestSupport", path: "Tests/KeyBridgeTestSupport"),
        .testTarget(
            name: "KeyBridgeWebAuthnTests",
            dependencies: [
                "KeyBridgeWebAuthn", "KeyBridgeCBOR",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "KeyBridgeMetadataTests",
            dependencies: [
                "KeyBridgeMetadata",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]),
        .testTarget(
            name: "KeyBridgeCBORTests",
            dependencies: ["KeyBridgeCBOR", "CCbor"]),
        .testTarget(
            name: "KeyBridgeAuthenticatorTests",
            dependencies: ["KeyBridgeAuthenticator", "KeyBridgeCBOR"]),
        .testTarget(
            name: "KeyBridgeOATHTests",
            dependencies: ["KeyBridgeYKOATH", "KeyBridgeVirtualCard", "KeyBridgePCSC"]),
        .testTarget(
            name: "KeyBridgeRegistrationTests",
            dependencies: [
                "KeyBridgeTestSupport",
                "KeyBridgeRegistration", "KeyBridgeCBOR", "KeyBridgeOATH", "KeyBridgeFIDO",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]),
        .testTarget(
            name: "KeyBridgeStoreContractTests",
            dependencies: [
                "KeyBridgeRegistration", "KeyBridgeRegistrationPostgres", "KeyBridgeAuthenticator", "KeyBridgeFIDO",
                "KeyBridgeCBOR",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "KeyBridgeEnrollmentTests",
            dependencies: [
                "KeyBridgeTestSupport",
                "KeyBridgeEnrollment", "KeyBridgeRegistration", "KeyBridgeCBOR",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "KeyBridgeServerTests",
            dependencies: ["KeyBridgeServer"]),
        .testTarget(
            name: "KeyBridgeGraphClientTests",
            dependencies: ["KeyBridgeGraphClient", "KeyBridgeEnrollment", "KeyBridgeRegistration", "KeyBridgeFIDO"]),
        .testTarget(
            name: "KeyBridgeIntegrationTests",
            dependencies: [
                "KeyBridgeTestSupport",
                "KeyBridgeFIDO", "KeyBridgeCBOR", "keybridge", "CFido2", "KeyBridgePCSC", "KeyBridgeYKOATH",
                "KeyBridgeRegistration", "KeyBridgeRegistrationPostgres", "KeyBridgeEnrollment",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
