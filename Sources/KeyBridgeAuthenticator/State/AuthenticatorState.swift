import Foundation

/// Everything the virtual key remembers between commands (and, with a state file, restarts).
struct AuthenticatorState: Codable, Sendable {
    var credentials: [StoredCredential] = []
    /// LEFT(SHA-256(PIN), 16), when a PIN is set.
    var pinHash: [UInt8]?
    /// The PIN's length in code points (to know when a new minimum forces a change).
    var pinLength = 0
    var pinRetries = 8
    var uvRetries = 8
    var minPINLength = 4
    var forcePINChange = false
    var minPINLengthRPIDs: [String] = []
    var alwaysUV = false
    var signCount: UInt32 = 0
    /// Attestation CA and leaf (DER) and their keys (raw P-256).
    var attestationRootDER: [UInt8] = []
    var attestationRootKey: [UInt8] = []
    var attestationLeafDER: [UInt8] = []
    var attestationLeafKey: [UInt8] = []
}

/// Loads and saves ``AuthenticatorState`` as JSON (mode 0600, written atomically), or keeps it
/// in memory when no file is configured.
struct StateStore {
    let path: String?

    func load() -> AuthenticatorState? {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(AuthenticatorState.self, from: data)
    }

    func save(_ state: AuthenticatorState) {
        guard let path else { return }
        guard let data = try? JSONEncoder().encode(state) else { return }
        let temporary = path + ".tmp"
        _ = FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
        _ = rename(temporary, path)
    }
}
