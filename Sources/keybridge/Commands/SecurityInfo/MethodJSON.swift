import Foundation
import KeyBridgeFIDO
import KeyBridgeRegistration

/// A registered method as `--json` prints it.
struct MethodJSON: Encodable {
    struct SecurityKeyJSON: Encodable {
        /// Absent when a server listed the key: Graph does not return the credential id.
        var credentialId: String?
        var aaguid: String
        var attestation: String
        var model: String?
        /// Absent when a server listed the key.
        var signCount: UInt32?
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
            // A record without a credential id is a server's description of a key (see KeyBridgeGraphClient).
            let known = !$0.credentialID.isEmpty
            return SecurityKeyJSON(
                credentialId: known ? Base64URL.encode($0.credentialID) : nil, aaguid: UUIDFormatting.string($0.aaguid),
                attestation: $0.attestationLevel, model: $0.model, signCount: known ? $0.signCount : nil)
        }
    }

    /// One line for people: name, value, default mark, id.
    var line: String {
        let label = friendlyName.map { "\(value) (\($0))" } ?? value
        return "\(isDefault ? "*" : " ") \(name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(label)  [\(id)]"
    }
}
