import Crypto

/// The HMAC hash of an OATH credential.
public enum OTPAlgorithm: String, Codable, Sendable, CaseIterable {
    case sha1 = "SHA1"
    case sha256 = "SHA256"
    case sha512 = "SHA512"

    /// HMAC of `message` under `key`.
    public func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let symmetric = SymmetricKey(data: key)
        switch self {
        case .sha1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: symmetric))
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: message, using: symmetric))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: message, using: symmetric))
        }
    }

    /// The hash's block size (keys longer than this are hashed first by HMAC).
    public var blockSize: Int { self == .sha512 ? 128 : 64 }

    /// Parses `SHA1`, `SHA256`, `SHA512` (any case, with or without a dash).
    public init?(name: String) {
        switch name.uppercased().replacingOccurrences(of: "-", with: "") {
        case "SHA1": self = .sha1
        case "SHA256": self = .sha256
        case "SHA512": self = .sha512
        default: return nil
        }
    }
}
