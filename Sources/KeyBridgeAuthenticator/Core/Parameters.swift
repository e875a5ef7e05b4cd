import KeyBridgeCBOR

/// Typed access to a CTAP2 request map, with the CTAP status codes for wrong or missing fields.
struct Parameters {
    let map: CBOR

    init(_ map: CBOR) { self.map = map }

    func has(_ key: Int) -> Bool { map[intKey: key] != nil }

    func bytes(_ key: Int) throws -> [UInt8]? {
        guard let value = map[intKey: key] else { return nil }
        guard let bytes = value.bytesValue else { throw CTAPStatus.cborUnexpectedType }
        return bytes
    }

    func requiredBytes(_ key: Int) throws -> [UInt8] {
        guard let value = try bytes(key) else { throw CTAPStatus.missingParameter }
        return value
    }

    func text(_ key: Int) throws -> String? {
        guard let value = map[intKey: key] else { return nil }
        guard let text = value.textValue else { throw CTAPStatus.cborUnexpectedType }
        return text
    }

    func int(_ key: Int) throws -> Int? {
        guard let value = map[intKey: key] else { return nil }
        guard let number = value.intValue else { throw CTAPStatus.cborUnexpectedType }
        return number
    }

    func mapValue(_ key: Int) throws -> CBOR? {
        guard let value = map[intKey: key] else { return nil }
        guard value.mapValue != nil else { throw CTAPStatus.cborUnexpectedType }
        return value
    }

    func array(_ key: Int) throws -> [CBOR]? {
        guard let value = map[intKey: key] else { return nil }
        guard let array = value.arrayValue else { throw CTAPStatus.cborUnexpectedType }
        return array
    }

    /// A boolean option from an options map (key 5 or 7), nil when absent.
    static func option(_ options: CBOR?, _ name: String) throws -> Bool? {
        guard let value = options?[textKey: name] else { return nil }
        guard let flag = value.boolValue else { throw CTAPStatus.cborUnexpectedType }
        return flag
    }

    /// The credential ids of a list of PublicKeyCredentialDescriptors.
    static func descriptorIDs(_ list: [CBOR]) throws -> [[UInt8]] {
        try list.map { descriptor in
            guard descriptor.mapValue != nil, let id = descriptor[textKey: "id"]?.bytesValue,
                descriptor[textKey: "type"]?.textValue != nil
            else { throw CTAPStatus.cborUnexpectedType }
            return id
        }
    }
}

/// A pinUvAuthToken and what it may be used for (CTAP 2.1 §6.5.2.3).
struct PINToken {
    struct Permissions: OptionSet {
        let rawValue: Int
        static let makeCredential = Permissions(rawValue: 0x01)
        static let getAssertion = Permissions(rawValue: 0x02)
        static let credentialManagement = Permissions(rawValue: 0x04)
        static let bioEnrollment = Permissions(rawValue: 0x08)
        static let largeBlobWrite = Permissions(rawValue: 0x10)
        static let authenticatorConfiguration = Permissions(rawValue: 0x20)
    }

    var value: [UInt8]
    var permissions: Permissions
    var rpID: String?
    var protocolVersion: PINUVAuthProtocol
    /// Whether the token came from built-in UV or a PIN (both count as user verification).
    var userVerified = true
}

/// Credentials left for authenticatorGetNextAssertion.
struct AssertionQueue {
    var remaining: [StoredCredential]
    var clientDataHash: [UInt8]
    var rpID: String
    var userPresent: Bool
    var userVerified: Bool
    var extensions: CBOR?
    var protocolVersion: PINUVAuthProtocol?
}

/// A credential-management enumeration in progress (RPs or credentials).
enum CredentialEnumeration {
    case relyingParties([StoredCredential])
    case credentials([StoredCredential])
}
