import Foundation
import KeyBridgeCBOR

/// What getInfo (CTAP 2.1 §6.4) says a key can do, as the suite uses it to decide what applies.
public struct AuthenticatorInfo: Codable, Sendable {
    public var versions: [String] = []
    public var extensions: [String] = []
    /// The AAGUID as a lowercase UUID string.
    public var aaguid: String = ""
    public var options: [String: Bool] = [:]
    public var maxMsgSize: Int?
    public var pinUvAuthProtocols: [Int] = []
    public var transports: [String] = []
    /// COSE algorithm identifiers from `algorithms` (0x0A).
    public var algorithms: [Int] = []
    public var minPINLength: Int?
    public var firmwareVersion: Int?
    public var maxCredBlobLength: Int?
    public var maxCredentialCountInList: Int?

    public init() {}

    /// Reads the fields the suite relies on; the getInfo tests check their types separately.
    public init(_ map: CBOR) {
        versions = map[intKey: 1]?.arrayValue?.compactMap(\.textValue) ?? []
        extensions = map[intKey: 2]?.arrayValue?.compactMap(\.textValue) ?? []
        if let bytes = map[intKey: 3]?.bytesValue, bytes.count == 16 {
            aaguid = UUID(uuid: bytes.withUnsafeBytes { $0.loadUnaligned(as: uuid_t.self) }).uuidString.lowercased()
        }
        for (key, value) in map[intKey: 4]?.mapValue ?? [:] {
            if let name = key.textValue, let flag = value.boolValue { options[name] = flag }
        }
        maxMsgSize = map[intKey: 5]?.intValue
        pinUvAuthProtocols = map[intKey: 6]?.arrayValue?.compactMap(\.intValue) ?? []
        maxCredentialCountInList = map[intKey: 7]?.intValue
        transports = map[intKey: 9]?.arrayValue?.compactMap(\.textValue) ?? []
        algorithms = map[intKey: 10]?.arrayValue?.compactMap { $0[textKey: "alg"]?.intValue } ?? []
        minPINLength = map[intKey: 13]?.intValue
        firmwareVersion = map[intKey: 14]?.intValue
        maxCredBlobLength = map[intKey: 15]?.intValue
    }

    /// Whether the key says it implements CTAP 2.1.
    public var isCTAP21: Bool { versions.contains("FIDO_2_1") }
    /// Whether a PIN is set (`clientPin` true); nil when the key has no PIN support.
    public var pinIsSet: Bool? { options["clientPin"] }
}
