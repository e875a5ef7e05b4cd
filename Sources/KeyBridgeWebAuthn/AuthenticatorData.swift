import KeyBridgeCBOR

/// Parsed WebAuthn authenticator data (WebAuthn Level 2 §6.1).
public struct AuthenticatorData: Sendable, Equatable {
    /// The flag bits of byte 32.
    public struct Flags: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let userPresent = Flags(rawValue: 0x01)
        public static let userVerified = Flags(rawValue: 0x04)
        public static let backupEligible = Flags(rawValue: 0x08)
        public static let backedUp = Flags(rawValue: 0x10)
        public static let attestedCredentialData = Flags(rawValue: 0x40)
        public static let extensionData = Flags(rawValue: 0x80)
    }

    /// The credential created in a registration (present when the AT flag is set).
    public struct AttestedCredential: Sendable, Equatable {
        public var aaguid: [UInt8]
        public var credentialID: [UInt8]
        /// The COSE public key as the key encoded it.
        public var publicKeyCOSE: [UInt8]
        /// The decoded COSE key.
        public var publicKey: CBOR
    }

    public var raw: [UInt8]
    public var rpIDHash: [UInt8]
    public var flags: Flags
    public var signCount: UInt32
    public var attestedCredential: AttestedCredential?
    /// The extension outputs map (present when the ED flag is set).
    public var extensions: CBOR?

    /// Parses `raw`, rejecting truncated data and trailing bytes.
    public init(_ raw: [UInt8]) throws(KeyBridgeError) {
        guard raw.count >= 37 else { throw .verificationFailed("authenticator data is shorter than 37 bytes") }
        self.raw = raw
        rpIDHash = Array(raw[0..<32])
        flags = Flags(rawValue: raw[32])
        signCount = raw[33..<37].reduce(0) { $0 << 8 | UInt32($1) }
        var offset = 37
        let decoder = CBORDecoder(strict: false)
        if flags.contains(.attestedCredentialData) {
            guard raw.count >= offset + 18 else { throw .verificationFailed("attested credential data is truncated") }
            let aaguid = Array(raw[offset..<offset + 16])
            let length = Int(raw[offset + 16]) << 8 | Int(raw[offset + 17])
            offset += 18
            guard raw.count >= offset + length else { throw .verificationFailed("credential id is truncated") }
            let credentialID = Array(raw[offset..<offset + length])
            offset += length
            let rest = Array(raw[offset...])
            guard let (key, used) = try? decoder.decodePrefix(rest) else {
                throw .verificationFailed("the credential public key is not valid CBOR")
            }
            attestedCredential = AttestedCredential(
                aaguid: aaguid, credentialID: credentialID, publicKeyCOSE: Array(rest[0..<used]), publicKey: key)
            offset += used
        }
        if flags.contains(.extensionData) {
            let rest = Array(raw[offset...])
            guard let (map, used) = try? decoder.decodePrefix(rest) else {
                throw .verificationFailed("the extensions map is not valid CBOR")
            }
            extensions = map
            offset += used
        }
        guard offset == raw.count else { throw .verificationFailed("authenticator data has \(raw.count - offset) trailing bytes") }
    }
}
