/// Everything a key reports through authenticatorGetInfo, plus its CTAPHID identity.
public struct DeviceInfo: Codable, Sendable, Equatable {
    /// One supported signature algorithm.
    public struct Algorithm: Codable, Sendable, Equatable {
        /// COSE algorithm identifier (-7 ES256, -8 EdDSA, -257 RS256).
        public var alg: Int
        /// Credential type, normally "public-key".
        public var type: String
    }

    /// Whether the key speaks CTAP2 (false for U2F-only keys).
    public var isFIDO2: Bool
    /// CTAPHID protocol version and device version from INIT.
    public var ctaphidProtocol: Int
    /// Device firmware version from CTAPHID INIT, as `major.minor.build`.
    public var deviceVersion: String
    /// CTAPHID capability flags (0x01 wink, 0x04 CBOR, 0x08 no U2F).
    public var capabilities: Int
    /// Supported protocol versions (`U2F_V2`, `FIDO_2_0`, `FIDO_2_1`, …).
    public var versions: [String]
    /// Supported extensions (`credProtect`, `hmac-secret`, …).
    public var extensions: [String]
    /// The authenticator model's AAGUID, as a lowercase UUID string.
    public var aaguid: String
    /// Options and their values (`rk`, `up`, `uv`, `clientPin`, `credMgmt`, …).
    public var options: [String: Bool]
    /// Largest CTAP message the key accepts, in bytes (0 if not reported).
    public var maxMessageSize: Int
    /// PIN/UV auth protocols, most preferred first.
    public var pinProtocols: [Int]
    /// Most credentials in one allow or exclude list (0 if not reported).
    public var maxCredentialCountInList: Int
    /// Longest credential id (0 if not reported).
    public var maxCredentialIdLength: Int
    /// Transports the key supports (`usb`, `nfc`, …).
    public var transports: [String]
    /// Supported signature algorithms.
    public var algorithms: [Algorithm]
    /// Firmware version as the key reports it in getInfo (0 if not reported).
    public var firmwareVersion: UInt64
    /// Longest credBlob the key stores (0 if unsupported).
    public var maxCredBlobLength: Int
    /// Largest serialized large-blob array (0 if unsupported).
    public var maxLargeBlobArray: Int
    /// Discoverable credentials still free, or nil if the key does not say.
    public var remainingDiscoverableCredentials: Int?
    /// Current minimum PIN length.
    public var minPINLength: Int
    /// Whether the key demands a PIN change before the PIN can be used.
    public var forcePINChange: Bool
    /// How many RP ids may receive the minimum PIN length.
    public var maxRPIDsForSetMinPINLength: Int
    /// Preferred number of built-in UV attempts before falling back to the PIN.
    public var preferredPlatformUVAttempts: Int
    /// Built-in UV modality bit mask (0 if none).
    public var uvModality: Int
    /// Certifications the key claims, by name.
    public var certifications: [String: UInt64]
}

extension DeviceInfo {
    /// An info with nothing known, as a base for partial values.
    static let empty = DeviceInfo(
        isFIDO2: true, ctaphidProtocol: 0, deviceVersion: "", capabilities: 0, versions: [], extensions: [], aaguid: "",
        options: [:], maxMessageSize: 0, pinProtocols: [], maxCredentialCountInList: 0, maxCredentialIdLength: 0,
        transports: [], algorithms: [], firmwareVersion: 0, maxCredBlobLength: 0, maxLargeBlobArray: 0,
        remainingDiscoverableCredentials: nil, minPINLength: 0, forcePINChange: false, maxRPIDsForSetMinPINLength: 0,
        preferredPlatformUVAttempts: 0, uvModality: 0, certifications: [:])

    /// Whether the key supports `option` at all (present in options, whatever its value).
    public func supports(_ option: String) -> Bool { options[option] != nil }

    /// Whether `option` is present and true.
    public func isEnabled(_ option: String) -> Bool { options[option] == true }

    /// Whether the key advertises the COSE algorithm `alg` (ES256 is assumed when the key lists none).
    public func supportsAlgorithm(_ alg: COSEAlgorithm) -> Bool {
        algorithms.isEmpty ? alg == .es256 : algorithms.contains { $0.alg == alg.rawValue }
    }

    /// Whether a PIN is set on the key.
    public var hasPIN: Bool { isEnabled("clientPin") }
}
