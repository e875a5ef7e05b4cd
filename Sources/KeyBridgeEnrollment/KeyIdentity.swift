import Foundation
import KeyBridgeFIDO

/// What an operator sees of a key before it is enrolled: how it is connected, its model, AAGUID,
/// serial number (where the key exposes one) and PIN state.
public struct KeyIdentity: Codable, Sendable, Equatable {
    public var deviceID: String
    public var transport: DeviceTransport
    public var model: String
    public var aaguid: String
    public var serialNumber: String?
    public var hasPIN: Bool
    public var minimumPINLength: Int
    /// Whether the key takes authenticatorConfig's setMinPINLength / forceChangePin.
    public var supportsPINPolicy: Bool

    /// Reads the identity of an open key; `models` names AAGUIDs.
    public static func read(_ key: SecurityKey, models: KeyModelNames = KeyModelNames()) async throws(KeyBridgeError) -> KeyIdentity {
        let info = try await key.info()
        let descriptor = key.descriptor
        return KeyIdentity(
            deviceID: descriptor.id, transport: descriptor.transport,
            model: models.name(aaguid: info.aaguid) ?? Self.fallbackModel(descriptor), aaguid: info.aaguid,
            serialNumber: descriptor.serialNumber, hasPIN: info.hasPIN, minimumPINLength: info.minPINLength,
            supportsPINPolicy: KeyEnrollment.supportsMinimumPINLength(info))
    }

    /// The product string where the key reports one (USB); a contactless key only names its reader.
    static func fallbackModel(_ descriptor: DeviceDescriptor) -> String {
        switch descriptor.transport {
        case .nfc: "contactless security key"
        case .usb, .virtual:
            [descriptor.manufacturer, descriptor.product].filter { !$0.isEmpty }.joined(separator: " ")
        }
    }
}

/// Model names by AAGUID: keybridge's own virtual key, plus any the operator supplies (a JSON
/// object `{"aaguid": "name"}`, e.g. exported from the FIDO metadata service).
public struct KeyModelNames: Sendable {
    private static let builtIn = ["f1d0f1d0-6b65-7962-7269-646765000001": "keybridge Virtual Key"]
    /// The operator's names (`--aaguid-names`); they win over the directory's FIDO metadata.
    private var names: [String: String] = [:]

    public init() {}

    /// Adds the names in a JSON file.
    public init(file: String) throws(KeyBridgeError) {
        guard let data = FileManager.default.contents(atPath: file),
            let extra = try? JSONDecoder().decode([String: String].self, from: data)
        else { throw .invalidArgument("\(file) is not a JSON object of AAGUID → model name") }
        for (aaguid, name) in extra { names[aaguid.lowercased()] = name }
    }

    /// The operator's name for `aaguid`, else keybridge's own.
    public func name(aaguid: String) -> String? { names[aaguid.lowercased()] ?? Self.builtIn[aaguid.lowercased()] }

    /// The name the operator gave `aaguid` (`--aaguid-names`), if any.
    public func operatorName(aaguid: String) -> String? { names[aaguid.lowercased()] }
}
