import Crypto
import Foundation

/// What the key signs over: either a client-data hash supplied by the caller, or a challenge
/// and origin from which keybridge builds the WebAuthn `clientDataJSON` itself.
public enum ClientDataInput: Sendable, Equatable {
    /// A SHA-256 client-data hash computed elsewhere (32 bytes). No clientDataJSON is produced.
    case hash([UInt8])
    /// A challenge and the relying party's origin; keybridge serialises `clientDataJSON`.
    case challenge([UInt8], origin: String, crossOrigin: Bool = false)

    /// The `clientDataJSON` bytes for a ceremony of `type` (nil for a bare hash).
    public func json(type: ClientDataType) -> [UInt8]? {
        guard case .challenge(let challenge, let origin, let crossOrigin) = self else { return nil }
        return ClientDataJSON.serialize(type: type, challenge: challenge, origin: origin, crossOrigin: crossOrigin)
    }

    /// The 32-byte hash the key signs.
    public func hash(type: ClientDataType) throws(KeyBridgeError) -> [UInt8] {
        switch self {
        case .hash(let hash):
            guard hash.count == 32 else {
                throw .invalidArgument("the client-data hash must be 32 bytes (SHA-256), got \(hash.count)")
            }
            return hash
        case .challenge(let challenge, let origin, _):
            guard challenge.count >= 16 else {
                throw .invalidArgument("the challenge must be at least 16 random bytes, got \(challenge.count)")
            }
            guard let url = URL(string: origin), url.scheme != nil, url.host != nil else {
                throw .invalidArgument("the origin must be a URL such as https://example.com, got \"\(origin)\"")
            }
            return Array(SHA256.hash(data: json(type: type)!))
        }
    }
}

/// The WebAuthn ceremony a clientDataJSON belongs to.
public enum ClientDataType: String, Sendable {
    case create = "webauthn.create"
    case get = "webauthn.get"
}

/// Serialises clientDataJSON the way WebAuthn Level 2 §5.8.1.1 describes: the members
/// type, challenge, origin, crossOrigin in that order, with JSON string escaping.
public enum ClientDataJSON {
    public static func serialize(type: ClientDataType, challenge: [UInt8], origin: String, crossOrigin: Bool) -> [UInt8] {
        var text = "{\"type\":" + quoted(type.rawValue)
        text += ",\"challenge\":" + quoted(Base64URL.encode(challenge))
        text += ",\"origin\":" + quoted(origin)
        text += ",\"crossOrigin\":" + (crossOrigin ? "true" : "false") + "}"
        return Array(text.utf8)
    }

    private static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
