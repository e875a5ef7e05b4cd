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

        public init(
            clientDataJSON: String?, attestationObject: String, authenticatorData: String, transports: [String],
            publicKeyAlgorithm: Int, publicKey: String?
        ) {
            self.clientDataJSON = clientDataJSON
            self.attestationObject = attestationObject
            self.authenticatorData = authenticatorData
            self.transports = transports
            self.publicKeyAlgorithm = publicKeyAlgorithm
            self.publicKey = publicKey
        }
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

    public init(
        id: String, rawId: String, type: String, response: Response, authenticatorAttachment: String,
        clientExtensionResults: ClientExtensionResults
    ) {
        self.id = id
        self.rawId = rawId
        self.type = type
        self.response = response
        self.authenticatorAttachment = authenticatorAttachment
        self.clientExtensionResults = clientExtensionResults
    }
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

        public init(clientDataJSON: String?, authenticatorData: String, signature: String, userHandle: String?) {
            self.clientDataJSON = clientDataJSON
            self.authenticatorData = authenticatorData
            self.signature = signature
            self.userHandle = userHandle
        }
    }

    public var id: String
    public var rawId: String
    public var type: String
    public var response: Response
    public var authenticatorAttachment: String
    public var clientExtensionResults: ClientExtensionResults

    public init(
        id: String, rawId: String, type: String, response: Response, authenticatorAttachment: String,
        clientExtensionResults: ClientExtensionResults
    ) {
        self.id = id
        self.rawId = rawId
        self.type = type
        self.response = response
        self.authenticatorAttachment = authenticatorAttachment
        self.clientExtensionResults = clientExtensionResults
    }
}

/// Client extension outputs keybridge reports.
public struct ClientExtensionResults: Codable, Sendable, Equatable {
    /// `credProps`: whether the credential is discoverable.
    public struct CredProps: Codable, Sendable, Equatable {
        public var rk: Bool
        public init(rk: Bool) { self.rk = rk }
    }
    /// hmac-secret outputs of an assertion, base64url.
    public struct HMACGetSecret: Codable, Sendable, Equatable {
        public var output1: String
        public var output2: String?
        public init(output1: String, output2: String?) {
            self.output1 = output1
            self.output2 = output2
        }
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
