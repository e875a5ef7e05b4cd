/// credProtect levels (CTAP 2.1 §12.1).
public enum CredentialProtection: Int, Codable, Sendable {
    /// UV optional: the credential works with or without user verification.
    case userVerificationOptional = 1
    /// UV optional with a credential id: discoverable use needs UV.
    case userVerificationOptionalWithCredentialIDList = 2
    /// UV required for every use.
    case userVerificationRequired = 3
}

/// The inputs of authenticatorMakeCredential.
public struct MakeCredentialRequest: Sendable {
    public var relyingParty: RelyingParty
    public var user: UserEntity
    public var clientData: ClientDataInput
    /// Algorithms in order of preference; the first one the key supports is used.
    public var algorithms: [COSEAlgorithm] = [.es256, .edDSA, .rs256]
    /// Make a discoverable (resident) credential.
    public var residentKey = false
    /// Require user verification (PIN or built-in UV).
    public var userVerification = false
    /// Credential ids already registered for this user; the key refuses if it holds one.
    public var excludeCredentials: [[UInt8]] = []
    /// credProtect policy to request.
    public var credentialProtection: CredentialProtection?
    /// Ask the key to create an hmac-secret for the credential.
    public var hmacSecret = false
    /// A credBlob to store with the credential (≤ the key's maxCredBlobLength).
    public var credentialBlob: [UInt8]?
    /// Ask the key to report its minimum PIN length to this RP (minPinLength extension).
    public var minPINLength = false
    /// The PIN, when the key has one and the operation needs it.
    public var pin: String?
    /// How long to wait, touch included.
    public var timeout: Duration = .seconds(30)

    public init(relyingParty: RelyingParty, user: UserEntity, clientData: ClientDataInput) {
        self.relyingParty = relyingParty
        self.user = user
        self.clientData = clientData
    }
}
