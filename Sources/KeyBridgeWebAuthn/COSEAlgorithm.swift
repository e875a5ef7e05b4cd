/// The signature algorithms keybridge asks keys for, by COSE identifier.
public enum COSEAlgorithm: Int, Codable, Sendable, CaseIterable {
    /// ECDSA P-256 with SHA-256.
    case es256 = -7
    /// Ed25519.
    case edDSA = -8
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = -257

    /// Parses `ES256`, `EdDSA`/`Ed25519` or `RS256` (any case), or a COSE number.
    public init?(name: String) {
        switch name.lowercased() {
        case "es256", "-7": self = .es256
        case "eddsa", "ed25519", "-8": self = .edDSA
        case "rs256", "-257": self = .rs256
        default: return nil
        }
    }

    /// The conventional name (`ES256`, `EdDSA`, `RS256`).
    public var name: String {
        switch self {
        case .es256: "ES256"
        case .edDSA: "EdDSA"
        case .rs256: "RS256"
        }
    }
}
