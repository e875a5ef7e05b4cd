import Crypto
import Foundation

/// A Temporary Access Pass as stored: only a salted hash of the pass is kept.
public struct StoredAccessPass: Codable, Sendable, Hashable {
    public var id: String
    public var upn: String
    public var tenant: String
    public var salt: [UInt8]
    public var hash: [UInt8]
    public var expires: Date
    public var oneTime: Bool
    public var used: Bool
    public var issuedBy: String
}

/// Creating and checking Temporary Access Passes (admin-issued, time-limited, optionally one-time).
enum AccessPassCodec {
    /// 16 characters from an alphabet without look-alikes (about 80 bits).
    static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789")

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    static func hash(_ pass: String, salt: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: salt + Array(pass.utf8)))
    }

    static func matches(_ pass: String, _ stored: StoredAccessPass) -> Bool {
        ConstantTime.equal(hash(pass, salt: stored.salt), stored.hash)
    }
}

extension RegistrationService {
    /// Issues a pass for `upn` in `tenant` with the tenant's lifetime and one-time setting. The
    /// pass is returned once; only its salted hash is stored.
    public func issueTemporaryAccessPass(upn: String, tenant: String, admin: String, client: ClientContext)
        async throws(RegistrationError) -> (pass: String, expires: Date, record: StoredAccessPass)
    {
        let policy = try await configuration(tenant).methods
        guard let user = try await store.user(upn: upn) else { throw .userNotFound(upn) }
        guard user.isMember(of: tenant) else { throw .notAMember(tenant: tenant) }
        let pass = AccessPassCodec.generate()
        let salt = RandomBytes.make(16)
        let stored = StoredAccessPass(
            id: UUID().uuidString, upn: upn, tenant: tenant, salt: salt, hash: AccessPassCodec.hash(pass, salt: salt),
            expires: Date().addingTimeInterval(policy.temporaryAccessPassLifetime),
            oneTime: policy.temporaryAccessPassOneTime, used: false, issuedBy: admin)
        try await store.save(pass: stored)
        try await audit("issueTemporaryAccessPass", tenant: tenant, upn: upn, mode: .admin, client: client, actor: .admin, reason: admin)
        return (pass, stored.expires, stored)
    }

    /// Deletes one of a user's passes (used or not). Audited with actor `admin`.
    public func deleteTemporaryAccessPass(id: String, upn: String, tenant: String, admin: String, client: ClientContext)
        async throws(RegistrationError)
    {
        do throws(RegistrationError) {
            guard try await store.passes(upn: upn, tenant: tenant).contains(where: { $0.id == id }),
                try await store.deletePass(id: id)
            else { throw RegistrationError.methodNotFound("Temporary Access Pass \(id)") }
            try await audit("deleteTemporaryAccessPass", tenant: tenant, upn: upn, mode: .admin, client: client, actor: .admin, reason: admin)
        } catch {
            try? await audit("deleteTemporaryAccessPass", tenant: tenant, upn: upn, mode: .admin, client: client, error: error, actor: .admin)
            throw error
        }
    }

    /// Checks a pass and, when it is one-time, uses it up (atomically: a pass works once).
    func redeemTemporaryAccessPass(_ pass: String, upn: String, tenant: String) async throws(RegistrationError) {
        let now = Date()
        let candidates = try await store.passes(upn: upn, tenant: tenant).filter { !$0.used && $0.expires > now }
        guard let match = candidates.first(where: { AccessPassCodec.matches(pass, $0) }) else {
            throw .mfaProofRejected("the Temporary Access Pass is wrong, expired or used")
        }
        if match.oneTime {
            guard try await store.markPassUsed(id: match.id) else {
                throw .mfaProofRejected("the Temporary Access Pass is wrong, expired or used")
            }
        }
    }
}
