/// How many discoverable credentials a key holds and how many more it can take.
public struct CredentialStorage: Codable, Sendable, Equatable {
    public var existing: Int
    public var remaining: Int
}

/// A relying party with discoverable credentials on the key.
public struct StoredRelyingParty: Codable, Sendable, Equatable {
    public var id: String
    public var name: String?
    /// base64url SHA-256 of the RP id.
    public var idHash: String
}

/// A discoverable credential stored on the key.
public struct StoredCredential: Codable, Sendable, Equatable {
    public var rpId: String
    /// base64url credential id.
    public var credentialId: String
    /// base64url user handle.
    public var userId: String
    public var userName: String?
    public var userDisplayName: String?
    /// credProtect level (0 when the key did not say).
    public var credProtect: Int
    /// COSE algorithm of the credential key.
    public var algorithm: Int
}
