import Foundation

/// A credential the virtual key holds. Every credential is stored (discoverable or not); the
/// credential id is a random handle into this store.
struct StoredCredential: Codable, Sendable, Equatable {
    var id: [UInt8]
    /// SHA-256 of the RP id (for U2F credentials, the application parameter).
    var rpIDHash: [UInt8]
    /// The RP id; nil for credentials made through U2F.
    var rpID: String?
    var rpName: String?
    var userID: [UInt8]
    var userName: String?
    var userDisplayName: String?
    var alg: Int
    var privateKey: [UInt8]
    var discoverable: Bool
    /// credProtect level, 1–3.
    var credProtect: Int
    /// hmac-secret CredRandom values (without and with UV), when hmac-secret was asked for.
    var hmacSecretWithoutUV: [UInt8]?
    var hmacSecretWithUV: [UInt8]?
    var credBlob: [UInt8]?
    var created: Date
}
