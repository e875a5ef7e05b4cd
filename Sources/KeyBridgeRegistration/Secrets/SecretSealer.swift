import Crypto
import Foundation

/// Encrypts secrets at rest (authenticator-app seeds, token secrets) with AES-GCM under a key
/// kept in a key file (32 random bytes, mode 0600, created on first use).
public struct SecretSealer: Sendable {
    private let key: SymmetricKey

    /// The key in `keyFile`, created if the file does not exist.
    public init(keyFile: String) throws(RegistrationError) {
        if FileManager.default.fileExists(atPath: keyFile) {
            // An existing key is never replaced: every sealed secret depends on it.
            guard let data = FileManager.default.contents(atPath: keyFile) else {
                throw .store("the key file \(keyFile) exists but cannot be read by this user")
            }
            guard data.count == 32 else { throw .store("the key file \(keyFile) must hold exactly 32 bytes") }
            key = SymmetricKey(data: data)
            return
        }
        let fresh = SymmetricKey(size: .bits256)
        // O_EXCL: two processes creating the directory at once must not both write a key.
        let descriptor = Glibc.open(keyFile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 && errno == EEXIST {
            self = try SecretSealer(keyFile: keyFile)
            return
        }
        guard descriptor >= 0 else { throw .store("cannot create the key file \(keyFile): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let written = fresh.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == 32, fsync(descriptor) == 0 else { throw .store("cannot write the key file \(keyFile)") }
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
