import Crypto
import Foundation
import KeyBridgeWebAuthn

/// A caller of `keybridge serve` that presented a valid API token.
public struct APIPrincipal: Sendable, Equatable {
    public var tokenID: String
    public var name: String
    /// The tenant the token may act in; nil for every tenant.
    public var tenant: String?
    public var scopes: Set<APIScope>

    /// Whether the token may act in `tenant` with `scope`.
    public func allows(_ scope: APIScope, in tenant: String) -> Bool {
        (self.tenant == nil || self.tenant == tenant) && (scopes.contains(scope) || scopes.contains(.admin))
    }
}

/// Issuing, checking and revoking API tokens. A token reads `kb_<id>_<secret>`: the id finds the
/// stored record, and only a salted SHA-256 of the secret is stored, compared in constant time.
extension RegistrationService {
    /// Issues a token; the returned string is shown once and never stored.
    public func issueAPIToken(
        name: String, tenant: String?, scopes: [APIScope], lifetime: TimeInterval?, admin: String, client: ClientContext
    ) async throws(RegistrationError) -> (token: String, record: StoredAPIToken) {
        guard !scopes.isEmpty else { throw .invalidInput("a token needs at least one scope: \(APIScope.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let tenant { _ = try await configuration(tenant) }
        if let lifetime, !(lifetime > 0 && lifetime <= 5 * 365 * 86_400) {
            throw .invalidInput("a token's lifetime must be between 1 second and 5 years")
        }
        let id = RandomBytes.make(8).map { String(format: "%02x", $0) }.joined()
        let secret = Base64URL.encode(RandomBytes.make(32))
        let salt = RandomBytes.make(16)
        let now = Date()
        let record = StoredAPIToken(
            id: id, name: name, tenant: tenant, scopes: scopes, salt: salt, hash: Self.tokenHash(secret, salt: salt), created: now,
            expires: lifetime.map { now.addingTimeInterval($0) }, issuedBy: admin)
        try await store.save(apiToken: record)
        try await audit("tokenIssue", tenant: tenant ?? "*", upn: admin, mode: .admin, client: client, actor: .admin, reason: name)
        return ("kb_\(id)_\(secret)", record)
    }

    /// The principal of a presented token; `nil` for a token that is malformed, unknown, wrong,
    /// revoked or expired (the caller answers 401 without saying which).
    public func authenticate(apiToken token: String, now: Date = Date()) async throws(RegistrationError) -> APIPrincipal? {
        let parts = token.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "kb", parts[1].count == 16 else { return nil }
        guard let record = try await store.apiToken(id: String(parts[1])) else { return nil }
        let matches = ConstantTime.equal(Self.tokenHash(String(parts[2]), salt: record.salt), record.hash)
        guard matches, !record.revoked, record.expires.map({ $0 > now }) ?? true else { return nil }
        return APIPrincipal(tokenID: record.id, name: record.name, tenant: record.tenant, scopes: Set(record.scopes))
    }

    /// Revokes a token: every later request with it is refused.
    public func revokeAPIToken(id: String, admin: String, client: ClientContext) async throws(RegistrationError) {
        guard var record = try await store.apiToken(id: id) else { throw .invalidInput("no API token \(id)") }
        record.revoked = true
        try await store.save(apiToken: record)
        try await audit("tokenRevoke", tenant: record.tenant ?? "*", upn: admin, mode: .admin, client: client, actor: .admin, reason: record.name)
    }

    static func tokenHash(_ secret: String, salt: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: salt + Array(secret.utf8)))
    }
}
