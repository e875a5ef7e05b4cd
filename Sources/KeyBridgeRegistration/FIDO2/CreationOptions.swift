import Foundation
import KeyBridgeFIDO

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
}
