// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for keybridge's parsers, one executable per parser. Build and run them with
// `scripts/fuzz` (release, `--sanitize fuzzer --sanitize address`, `-enable-testing` for the
// targets that reach internal parsers through `@testable import`).

/// Each fuzz target: its name and what it needs beyond `FuzzSupport`.
let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("fuzz-cbor", [.product(name: "KeyBridgeCBOR", package: "keybridge")]),
    ("fuzz-ctaphid", [.product(name: "KeyBridgeAuthenticator", package: "keybridge")]),
    ("fuzz-ctap2-command", [.product(name: "KeyBridgeAuthenticator", package: "keybridge")]),
    (
        "fuzz-iso7816",
        [
            .product(name: "KeyBridgeFIDO", package: "keybridge"),
            .product(name: "KeyBridgeAuthenticator", package: "keybridge"),
            .product(name: "KeyBridgeVirtualCard", package: "keybridge"),
            .product(name: "KeyBridgePCSC", package: "keybridge"),
        ]
    ),
    (
        "fuzz-ykoath-tlv",
        [
            .product(name: "KeyBridgeYKOATH", package: "keybridge"),
            .product(name: "KeyBridgeVirtualCard", package: "keybridge"),
            .product(name: "KeyBridgePCSC", package: "keybridge"),
        ]
    ),
    ("fuzz-otpauth", [.product(name: "KeyBridgeOATH", package: "keybridge")]),
    (
        "fuzz-attestation",
        [
            .product(name: "KeyBridgeWebAuthn", package: "keybridge"),
            .product(name: "KeyBridgeCBOR", package: "keybridge"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
        ]
    ),
    (
        "fuzz-webauthn-json",
        [
            .product(name: "KeyBridgeWebAuthn", package: "keybridge"),
            .product(name: "KeyBridgeCBOR", package: "keybridge"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]
    ),
    (
        "fuzz-policy",
        [.product(name: "KeyBridgeRegistration", package: "keybridge"), .product(name: "Yams", package: "Yams")]
    ),
    (
        "fuzz-token-csv",
        [.product(name: "KeyBridgeRegistration", package: "keybridge"), .product(name: "KeyBridgeOATH", package: "keybridge")]
    ),
]

let package = Package(
    name: "keybridge-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "keybridge", path: ".."),
        // Already dependencies of keybridge; named here because the targets import them directly.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "KeyBridgePCSC", package: "keybridge")])
    ]
        + fuzzTargets.map { target in
            .executableTarget(
                name: target.name,
                dependencies: ["FuzzSupport"] + target.dependencies,
                swiftSettings: [.unsafeFlags(["-parse-as-library"])])
        },
    swiftLanguageModes: [.v6]
)
