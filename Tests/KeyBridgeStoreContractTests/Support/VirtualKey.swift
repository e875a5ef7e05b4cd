import Crypto
import Foundation
import KeyBridgeAuthenticator
import KeyBridgeCBOR
import KeyBridgeFIDO
import KeyBridgeRegistration
import Testing

/// keybridge's software authenticator, in process: answers a manage session's creation options
/// with a real `RegistrationResponseJSON` (CTAP makeCredential, packed attestation), as a
/// browser or the bridge would.
struct VirtualKey {
    let authenticator: VirtualAuthenticator

    init() throws {
        authenticator = try VirtualAuthenticator(configuration: AuthenticatorConfiguration())
    }

    func register(_ options: FIDO2CreationOptions) throws -> RegistrationResponseJSON {
        let clientData = ClientDataJSON.serialize(
            type: .create, challenge: options.challenge, origin: options.origin, crossOrigin: false)
        let request = CBOREncoder.encode([
            1: .bytes(Array(SHA256.hash(data: clientData))),
            2: ["id": .text(options.relyingParty.id), "name": .text(options.relyingParty.name ?? options.relyingParty.id)],
            3: ["id": .bytes(options.userHandle), "name": .text(options.userName), "displayName": .text(options.userDisplayName)],
            4: [["alg": -7, "type": "public-key"]],
        ])
        let reply = authenticator.handleCTAP2([0x01] + request)
        try #require(reply.first == 0x00, "makeCredential answered status \(reply.first ?? 0xFF)")
        let made = try CBORDecoder().decode(Array(reply.dropFirst()))
        let format = try #require(made[intKey: 1]?.textValue)
        let authData = try #require(made[intKey: 2]?.bytesValue)
        let statement = try #require(made[intKey: 3])
        let credentialID = try #require(try AuthenticatorData(authData).attestedCredential?.credentialID)

        var object = CBORRawMapWriter()
        object.add("fmt", .text(format))
        object.add("attStmt", statement)
        object.add("authData", .bytes(authData))
        let id = Base64URL.encode(credentialID)
        let json: [String: Any] = [
            "id": id, "rawId": id, "type": "public-key",
            "response": [
                "clientDataJSON": Base64URL.encode(clientData), "attestationObject": Base64URL.encode(object.encode()),
                "authenticatorData": Base64URL.encode(authData), "transports": ["usb"], "publicKeyAlgorithm": -7,
            ],
            "authenticatorAttachment": "cross-platform", "clientExtensionResults": [String: Any](),
        ]
        return try JSONDecoder().decode(RegistrationResponseJSON.self, from: JSONSerialization.data(withJSONObject: json))
    }
}
