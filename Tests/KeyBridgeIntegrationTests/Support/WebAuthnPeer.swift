import Foundation
import KeyBridgeFIDO
import XCTest

/// py_webauthn (PyPI `webauthn`), an independent relying-party verifier, run as a subprocess.
enum WebAuthnPeer {
    struct Verdict {
        var verified: Bool
        var fields: [String: Any]
        var error: String? { fields["error"] as? String }
    }

    /// Verifies a registration made by keybridge.
    static func verifyRegistration(
        _ credential: RegistrationResponseJSON, challenge: [UInt8], origin: String, rpID: String,
        rootCertificatesPEM: [String]? = nil, requireUV: Bool = false
    ) throws -> Verdict {
        var request: [String: Any] = [
            "kind": "registration", "credential": try jsonObject(credential),
            "challenge": Base64URL.encode(challenge), "origin": origin, "rpId": rpID, "requireUV": requireUV,
        ]
        if let rootCertificatesPEM { request["rootCertificatesPEM"] = rootCertificatesPEM }
        return try run(request)
    }

    /// Verifies an assertion made by keybridge against the public key py_webauthn returned.
    static func verifyAuthentication(
        _ credential: AuthenticationResponseJSON, challenge: [UInt8], origin: String, rpID: String,
        publicKey: String, signCount: Int, requireUV: Bool = false
    ) throws -> Verdict {
        try run([
            "kind": "authentication", "credential": try jsonObject(credential),
            "challenge": Base64URL.encode(challenge), "origin": origin, "rpId": rpID, "publicKey": publicKey,
            "signCount": signCount, "requireUV": requireUV,
        ])
    }

    private static func jsonObject<T: Encodable>(_ value: T) throws -> Any {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(value))
    }

    private static func run(_ request: [String: Any]) throws -> Verdict {
        let python = TestPaths.peerPython
        guard FileManager.default.isExecutableFile(atPath: python) else {
            XCTFail("py_webauthn peer missing at \(python): run scripts/setup (the peers are required, never skipped)")
            throw POSIXError(.ENOENT)
        }
        let script = TestPaths.packageRoot.appendingPathComponent("scripts/peers/webauthn_verify.py").path
        let result = try ProcessRunner.run(
            python, [script], input: try JSONSerialization.data(withJSONObject: request))
        guard let data = result.stdout.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            XCTFail("py_webauthn peer gave no JSON: \(result.stdout) \(result.stderr)")
            throw POSIXError(.EIO)
        }
        return Verdict(verified: object["verified"] as? Bool == true, fields: object)
    }
}
