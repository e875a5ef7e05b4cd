/// A WebAuthn `RegistrationResponseJSON` (WebAuthn Level 3 §5.1), as any relying party's
/// `PublicKeyCredential.parseCreationOptionsFromJSON` counterpart expects it.
public struct RegistrationResponseJSON: Codable, Sendable, Equatable {
    /// The `response` member: an AuthenticatorAttestationResponseJSON.
    public struct Response: Codable, Sendable, Equatable {
        /// base64url clientDataJSON; absent when the caller supplied only a client-data hash.
        public var clientDataJSON: String?
        /// base64url CBOR attestation object `{fmt, attStmt, authData}`.
        public var attestationObject: String
        /// base64url authenticator data (also inside the attestation object).
        public var authenticatorData: String
        /// Transports of the key (`usb`, `nfc`).
        public var transports: [String]
        /// COSE algorithm of the new credential.
        public var publicKeyAlgorithm: Int
        /// base64url SubjectPublicKeyInfo of the credential key, where keybridge can encode it.
        public var publicKey: String?
    }

    /// base64url credential id.
    public var id: String
    /// base64url credential id (the same bytes as `id`).
    public var rawId: String
    /// Always "public-key".
    public var type: String
    public var response: Response
    /// Always "cross-platform": keybridge talks to roaming keys.
    public var authenticatorAttachment: String
    public var clientExtensionResults: ClientExtensionResults
}

/// A WebAuthn `AuthenticationResponseJSON`.
public struct AuthenticationResponseJSON: Codable, Sendable, Equatable {
    /// The `response` member: an AuthenticatorAssertionResponseJSON.
    public struct Response: Codable, Sendable, Equatable {
        /// base64url clientDataJSON; absent when the caller supplied only a client-data hash.
        public var clientDataJSON: String?
        /// base64url authenticator data.
        public var authenticatorData: String
        /// base64url signature over authenticatorData ‖ SHA-256(clientDataJSON).
        public var signature: String
        /// base64url user handle (present for discoverable credentials).
        public var userHandle: String?
    }

    public var id: String
    public var rawId: String
    public var type: String
    public var response: Response
    public var authenticatorAttachment: String
    public var clientExtensionResults: ClientExtensionResults
}

/// Client extension outputs keybridge reports.
public struct ClientExtensionResults: Codable, Sendable, Equatable {
    /// `credProps`: whether the credential is discoverable.
    public struct CredProps: Codable, Sendable, Equatable { public var rk: Bool }
    /// hmac-secret outputs of an assertion, base64url.
    public struct HMACGetSecret: Codable, Sendable, Equatable {
        public var output1: String
        public var output2: String?
    }

    public var credProps: CredProps?
    /// Whether the key created an hmac-secret for the credential.
    public var hmacCreateSecret: Bool?
    /// The credProtect level the key applied (1–3).
    public var credProtect: Int?
    public var hmacGetSecret: HMACGetSecret?

    public init(
        credProps: CredProps? = nil, hmacCreateSecret: Bool? = nil, credProtect: Int? = nil,
        hmacGetSecret: HMACGetSecret? = nil
    ) {
        self.credProps = credProps
        self.hmacCreateSecret = hmacCreateSecret
        self.credProtect = credProtect
        self.hmacGetSecret = hmacGetSecret
    }
}
