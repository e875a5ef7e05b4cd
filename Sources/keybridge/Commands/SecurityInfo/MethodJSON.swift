import Foundation
import KeyBridgeFIDO
import KeyBridgeRegistration

/// A registered method as `--json` prints it.
struct MethodJSON: Encodable {
    struct SecurityKeyJSON: Encodable {
        var credentialId: String
        var aaguid: String
        var attestation: String
        var model: String?
        var signCount: UInt32
    }

    var id: String
    var kind: String
    /// The method's name in the chosen language.
    var name: String
    var value: String
    var friendlyName: String?
    var isDefault: Bool
    var created: String
    var servesMFA: Bool
    var servesSSPR: Bool
    var securityKey: SecurityKeyJSON?

    init(_ method: RegisteredMethod, catalog: MessageCatalog) {
        id = method.id
        kind = method.kind.rawValue
        name = catalog.name(of: method.kind)
        value = method.displayValue
        friendlyName = method.friendlyName
        isDefault = method.isDefault
        created = ISO8601DateFormatter().string(from: method.created)
        servesMFA = method.kind.servesMFA
        servesSSPR = method.kind.servesSSPR
        securityKey = method.fido2.map {
            SecurityKeyJSON(
                credentialId: Base64URL.encode($0.credentialID), aaguid: UUIDFormatting.string($0.aaguid),
                attestation: $0.attestationLevel, model: $0.model, signCount: $0.signCount)
        }
    }

    /// One line for people: name, value, default mark, id.
    var line: String {
        let label = friendlyName.map { "\(value) (\($0))" } ?? value
        return "\(isDefault ? "*" : " ") \(name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(label)  [\(id)]"
    }
}
