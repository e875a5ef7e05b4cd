import Crypto
import Foundation
import KeyBridgeWebAuthn

/// WebAuthn creation options a manage session issues for adding a FIDO2 key.
public struct FIDO2CreationOptions: Codable, Sendable, Equatable {
    /// Single-use, 32 random bytes.
    public var challenge: [UInt8]
    public var expires: Date
    public var relyingParty: RelyingParty
    public var origin: String
    /// The user handle (stable per user and tenant, not personally identifying).
    public var userHandle: [UInt8]
    public var userName: String
    public var userDisplayName: String
    /// The user's keys already registered in this tenant.
    public var excludeCredentials: [[UInt8]]
    public var residentKey: Bool
    public var userVerification: Bool
    /// `direct` when attestation is enforced, otherwise `none`.
    public var attestation: String

    /// Options as a remote directory issued them (a local one makes its own in a manage session).
    public init(
        challenge: [UInt8], expires: Date, relyingParty: RelyingParty, origin: String, userHandle: [UInt8], userName: String,
        userDisplayName: String, excludeCredentials: [[UInt8]], residentKey: Bool, userVerification: Bool, attestation: String
    ) {
        self.challenge = challenge
        self.expires = expires
        self.relyingParty = relyingParty
        self.origin = origin
        self.userHandle = userHandle
        self.userName = userName
        self.userDisplayName = userDisplayName
        self.excludeCredentials = excludeCredentials
        self.residentKey = residentKey
        self.userVerification = userVerification
        self.attestation = attestation
    }
}

/// WebAuthn request options for proving MFA with one of the user's FIDO2 keys.
public struct FIDO2SignInOptions: Codable, Sendable, Equatable {
    /// Single-use, 32 random bytes.
    public var challenge: [UInt8]
    public var relyingPartyID: String
    public var origin: String
    /// The user's registered credential ids in this tenant.
    public var allowCredentials: [[UInt8]]
    public var userVerification: Bool

    public init(challenge: [UInt8], relyingPartyID: String, origin: String, allowCredentials: [[UInt8]], userVerification: Bool) {
        self.challenge = challenge
        self.relyingPartyID = relyingPartyID
        self.origin = origin
        self.allowCredentials = allowCredentials
        self.userVerification = userVerification
    }
}

extension FIDO2CreationOptions {
    /// The user handle for `upn` in `tenant`: stable, and not personally identifying.
    public static func userHandle(upn: String, tenant: String) -> [UInt8] {
        Array(SHA256.hash(data: Array("\(tenant)/\(upn)".utf8)))
    }

    /// The options as the store keeps them beside their challenge.
    func ceremonyState() throws(RegistrationError) -> [UInt8] {
        do { return Array(try JSONEncoder().encode(self)) } catch { throw .store("cannot encode the creation options: \(error)") }
    }

    /// The options a store kept with a challenge; nil when there are none (a sign-in challenge).
    init?(ceremonyState: [UInt8]?) {
        guard let ceremonyState, let options = try? JSONDecoder().decode(Self.self, from: Data(ceremonyState)) else { return nil }
        self = options
    }
}

/// The challenge inside a WebAuthn `clientDataJSON`.
enum ClientDataChallenge {
    /// The decoded challenge of base64url-encoded client data; nil when it is not JSON or has none.
    static func extract(base64url clientData: String) -> [UInt8]? {
        guard let bytes = Base64URL.decode(clientData),
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let text = object["challenge"] as? String
        else { return nil }
        return Base64URL.decode(text)
    }
}
