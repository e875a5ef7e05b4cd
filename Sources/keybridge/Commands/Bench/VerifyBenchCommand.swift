import ArgumentParser
import Crypto
import Foundation
import KeyBridgeCBOR
import KeyBridgeFIDO

struct VerifyBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Time relying-party verification of sign-ins: keybridge's verifier, libfido2's, and a bare P-256 verify.",
        discussion: """
            Makes one ES256 credential and --count sign-ins on the key, then verifies every sign-in \
            --rounds times with keybridge's own verifier (what the server runs), with libfido2's \
            fido_assert_verify, and with a bare swift-crypto P-256 signature check over the same bytes. \
            --export writes the sign-ins (and the key) for other verifiers to time the same data. \
            JSON: {count, rounds, perSecond: {keybridge, libfido2, bareP256}}.
            """)
    @OptionGroup var output: OutputOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @Option(name: .long, help: "Sign-ins to make.") var count = 200
    @Option(name: .long, help: "Times each sign-in is verified.") var rounds = 20

    func validate() throws {
        try OptionRange.check(count, "--count", 1...100_000)
        try OptionRange.check(rounds, "--rounds", 1...10_000)
    }
    @Option(name: .long, help: ArgumentHelp("Write the sign-ins as JSON here.", valueName: "file")) var export: String?

    static let rpID = "bench.keybridge.test"
    static let origin = "https://bench.keybridge.test"

    struct Result: Encodable {
        var count: Int
        var rounds: Int
        var perSecond: [String: Double]
    }

    func run() async throws {
        try await Output.reporting(json: output.json) {
            guard (1...100_000).contains(count), (1...10_000).contains(rounds) else {
                throw KeyBridgeError.invalidArgument("--count must be 1…100000 and --rounds 1…10000")
            }
            let key = try await deviceOptions.open()
            var create = MakeCredentialRequest(
                relyingParty: RelyingParty(id: Self.rpID), user: UserEntity(id: BinaryArgument.random(count: 16), name: "bench"),
                clientData: .challenge(BinaryArgument.random(count: 32), origin: Self.origin))
            create.algorithms = [.es256]
            let registration = try await key.makeCredential(create)
            let publicKey = try WebAuthnVerifier.verifyRegistration(registration, rpID: Self.rpID).publicKey
            var assertions: [AuthenticationResponseJSON] = []
            var challenges: [[UInt8]] = []
            for _ in 0..<count {
                let challenge = BinaryArgument.random(count: 32)
                var request = GetAssertionRequest(relyingPartyID: Self.rpID, clientData: .challenge(challenge, origin: Self.origin))
                request.allowCredentials = [Base64URL.decode(registration.id)!]
                assertions += try await key.getAssertion(request)
                challenges.append(challenge)
            }
            await key.close()
            if let export { try Self.write(export, registration: registration, publicKey: publicKey, assertions: assertions, challenges: challenges) }

            let p256 = try COSEKey.p256(publicKey)
            let signed = assertions.map { assertion in
                (Base64URL.decode(assertion.response.authenticatorData)! + Array(SHA256.hash(data: Base64URL.decode(assertion.response.clientDataJSON!)!)),
                    try! P256.Signing.ECDSASignature(derRepresentation: Base64URL.decode(assertion.response.signature)!))
            }
            let total = Double(count * rounds)
            let ours = try Self.rate(total) {
                for _ in 0..<rounds { for assertion in assertions { try WebAuthnVerifier.verifyAssertion(assertion, rpID: Self.rpID, publicKey: publicKey) } }
            }
            let libfido2 = try Self.rate(total) {
                for _ in 0..<rounds { for assertion in assertions { try FidoVerifier.verifyAssertion(assertion, rpID: Self.rpID, publicKey: publicKey) } }
            }
            let bare = try Self.rate(total) {
                for _ in 0..<rounds {
                    for (message, signature) in signed where !p256.isValidSignature(signature, for: message) {
                        throw KeyBridgeError.verificationFailed("a bare P-256 check failed")
                    }
                }
            }
            // The bare check again, but building the key from its COSE form each time, as a server
            // that reads the key from its directory per sign-in must.
            let bareWithKey = try Self.rate(total) {
                for _ in 0..<rounds {
                    for (message, signature) in signed where !(try COSEKey.p256(publicKey)).isValidSignature(signature, for: message) {
                        throw KeyBridgeError.verificationFailed("a bare P-256 check failed")
                    }
                }
            }
            let result = Result(
                count: count, rounds: rounds,
                perSecond: ["keybridge": ours, "libfido2": libfido2, "bareP256": bare, "bareP256WithKeyDecoding": bareWithKey])
            if output.json { return try Output.json(result) }
            Output.line(String(format: "keybridge %.0f/s   libfido2 %.0f/s   bare P-256 %.0f/s", ours, libfido2, bare))
        }
    }

    /// Operations per second of `body`, which performs `operations` of them.
    static func rate(_ operations: Double, _ body: () throws -> Void) throws -> Double {
        let elapsed = try ContinuousClock().measure(body)
        return operations / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    static func write(
        _ path: String, registration: RegistrationResponseJSON, publicKey: CBOR, assertions: [AuthenticationResponseJSON], challenges: [[UInt8]]
    ) throws {
        let object: [String: Any] = [
            "rpId": rpID, "origin": origin, "credentialPublicKey": Base64URL.encode(CBOREncoder.encode(publicKey)),
            "assertions": try zip(assertions, challenges).map { assertion, challenge in
                ["challenge": Base64URL.encode(challenge), "credential": try JSONSerialization.jsonObject(with: JSONEncoder().encode(assertion))]
            },
        ]
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }
}
