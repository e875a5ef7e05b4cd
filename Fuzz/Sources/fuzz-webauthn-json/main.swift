import Crypto
import Foundation
import FuzzSupport
import KeyBridgeCBOR
import KeyBridgeWebAuthn

/// WebAuthn JSON as a browser or Graph sends it: `RegistrationResponseJSON` and
/// `AuthenticationResponseJSON` decoding, then what a relying party does with them (base64url,
/// attestation object, client-data hash, signature checks for rpId example.com).
private let assertionKey: CBOR = {
    let seed = [UInt8](repeating: 7, count: 32)
    guard let key = try? P256.Signing.PrivateKey(rawRepresentation: seed) else { fatalError("a fixed P-256 key") }
    let point = Array(key.publicKey.rawRepresentation)
    return .map([
        .int(1): .int(2), .int(3): .int(-7), .int(-1): .int(1), .int(-2): .bytes(Array(point[0..<32])),
        .int(-3): .bytes(Array(point[32..<64])),
    ])
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let json = Data(fuzzBytes(data, size))
    let decoder = JSONDecoder()
    if let registration = try? decoder.decode(RegistrationResponseJSON.self, from: json) {
        _ = Base64URL.decode(registration.rawId)
        _ = try? WebAuthnVerifier.parse(registration)
        _ = try? WebAuthnVerifier.verifyRegistration(registration, rpID: "example.com")
        _ = try? RegistrationResponseJSON(
            id: registration.id, clientDataJSON: registration.response.clientDataJSON ?? "",
            attestationObject: registration.response.attestationObject, transports: registration.response.transports,
            clientExtensionResults: registration.clientExtensionResults)
        _ = try? JSONEncoder().encode(registration)
    }
    if let authentication = try? decoder.decode(AuthenticationResponseJSON.self, from: json) {
        _ = try? WebAuthnVerifier.verifyAssertion(authentication, rpID: "example.com", publicKey: assertionKey)
        _ = try? WebAuthnVerifier.hash(given: nil, clientDataJSON: authentication.response.clientDataJSON)
        _ = try? JSONEncoder().encode(authentication)
    }
    return 0
}
