import Crypto
import Foundation

/// Encrypts secrets at rest (authenticator-app seeds, token secrets) with AES-GCM under a key
/// kept in a key file (32 random bytes, mode 0600, created on first use).
public struct SecretSealer: Sendable {
    private let key: SymmetricKey

    /// The key in `keyFile`, created if the file does not exist.
    public init(keyFile: String) throws(RegistrationError) {
        if let data = FileManager.default.contents(atPath: keyFile) {
            guard data.count == 32 else { throw .store("the key file \(keyFile) must hold exactly 32 bytes") }
            key = SymmetricKey(data: data)
            return
        }
        let fresh = SymmetricKey(size: .bits256)
        let bytes = fresh.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: keyFile, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw .store("cannot create the key file \(keyFile)")
        }
        key = fresh
    }

    /// A sealer with a random key (in-memory directories and tests).
    public init() { key = SymmetricKey(size: .bits256) }

    func seal(_ secret: [UInt8]) throws(RegistrationError) -> [UInt8] {
        do {
            guard let combined = try AES.GCM.seal(secret, using: key).combined else { throw RegistrationError.store("seal") }
            return Array(combined)
        } catch {
            throw .store("cannot encrypt a secret")
        }
    }

    func open(_ sealed: [UInt8]) throws(RegistrationError) -> [UInt8] {
        do {
            return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key))
        } catch {
            throw .store("a stored secret cannot be decrypted: wrong key file?")
        }
    }
}
