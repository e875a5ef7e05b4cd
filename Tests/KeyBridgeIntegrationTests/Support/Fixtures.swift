import Crypto
import Foundation
import KeyBridgeCBOR
import KeyBridgeFIDO

/// Common request builders for the tests.
enum Fixtures {
    static let rpID = "example.com"
    static let origin = "https://example.com"

    static func challenge() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255) } }

    static func registration(
        user: String = "alice@example.com", residentKey: Bool = false, challenge: [UInt8], pin: String? = nil,
        rpID: String = rpID, algorithms: [COSEAlgorithm] = [.es256, .edDSA]
    ) -> MakeCredentialRequest {
        var request = MakeCredentialRequest(
            relyingParty: RelyingParty(id: rpID, name: "Example"),
            user: UserEntity(id: Array(SHA256.hash(data: Data(user.utf8))), name: user, displayName: user),
            clientData: .challenge(challenge, origin: origin))
        request.residentKey = residentKey
        request.pin = pin
        request.algorithms = algorithms
        request.timeout = .seconds(10)
        return request
    }

    static func signIn(credential: String?, challenge: [UInt8], pin: String? = nil, rpID: String = rpID)
        -> GetAssertionRequest
    {
        var request = GetAssertionRequest(relyingPartyID: rpID, clientData: .challenge(challenge, origin: origin))
        if let credential { request.allowCredentials = [Base64URL.decode(credential)!] }
        request.pin = pin
        request.userVerification = pin != nil
        request.timeout = .seconds(10)
        return request
    }

    /// The COSE public key inside a registration's authenticator data.
    static func publicKey(of registration: RegistrationResponseJSON) throws -> CBOR {
        let object = try AttestationObject(Base64URL.decode(registration.response.attestationObject)!)
        return object.authenticatorData.attestedCredential!.publicKey
    }

    /// The decoded clientDataJSON of a response.
    static func clientData(_ base64: String?) throws -> [String: Any] {
        let bytes = Base64URL.decode(base64 ?? "") ?? []
        return try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
    }
}
