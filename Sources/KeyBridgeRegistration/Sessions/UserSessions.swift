import Foundation
import KeyBridgeWebAuthn

/// A user the directory signed in: what a valid session token stands for. Only
/// ``RegistrationService/openUserSession(upn:tenant:client:proof:userAgent:policy:)`` and
/// ``RegistrationService/resumeUserSession(token:client:now:)`` make one, so holding one means
/// MFA was proven and the session is live; ``ManageSession/open(_:signedIn:client:)`` trusts it
/// for that and for nothing else.
public struct SignedInUser: Sendable, Equatable {
    public let sessionID: String
    public let user: DirectoryUser
    public let tenant: String
    /// When the session ends if unused, and when it ends regardless.
    public let idleExpires: Date
    public let expires: Date
    /// How MFA was proven at sign-in.
    public let proof: String

    init(session: StoredUserSession, user: DirectoryUser) {
        sessionID = session.id
        self.user = user
        tenant = session.tenant
        idleExpires = session.idleExpires
        expires = session.expires
        proof = session.proof
    }

    public var upn: String { user.upn }
}

/// Signing users in, and the sessions that carry their sign-in from request to request (and from
/// server to server: sessions live in the directory). A token reads `kbs_<id>_<secret>`; only a
/// salted SHA-256 of the secret is stored, compared in constant time.
extension RegistrationService {
    /// Signs `upn` in to `tenant` with an MFA proof (a Temporary Access Pass, a one-time code, or
    /// an assertion from one of the user's keys) — always asked for, even without registered
    /// methods — and the access rule; opens a session. Refusals are audited as `signIn`, and the
    /// session's opening too; after 10 rejected proofs in 15 minutes the user's sign-ins to the
    /// tenant are refused until the window passes. The token is returned once and never stored.
    public func openUserSession(
        upn: String, tenant: String, client: ClientContext, proof: MFAProof, userAgent: String? = nil,
        policy: UserSessionPolicy = .standard, now: Date = Date()
    ) async throws(RegistrationError) -> (token: String, session: SignedInUser) {
        let policy = try policy.validated()
        // Failed sign-ins are limited per user and tenant, in the store (so across servers).
        let limiter = AttemptLimiter(store: store, maximum: 10, window: 900, what: "failed sign-ins")
        let limiterKey = "signIn/\(tenant)/\(upn.lowercased())"
        // Every sign-in attempt is claimed before it is checked (see AttemptLimiter); a signed-in
        // user's attempts are cleared.
        do throws(RegistrationError) { try await limiter.claim(limiterKey) } catch {
            try? await audit("signIn", tenant: tenant, upn: upn, mode: .manage, client: client, error: error)
            throw error
        }
        let admitted = try await ManageSession.admit(
            self, upn: upn, tenant: tenant, client: client, proof: proof, mode: .manage, requireProof: true, action: "signIn")
        try await limiter.reset(limiterKey)
        let id = RandomBytes.make(12).map { String(format: "%02x", $0) }.joined()
        let secret = Base64URL.encode(RandomBytes.make(32))
        let salt = RandomBytes.make(16)
        let record = StoredUserSession(
            id: id, upn: admitted.user.upn, tenant: tenant, salt: salt, hash: Self.tokenHash(secret, salt: salt), created: now,
            lastSeen: now, idleTimeout: policy.idleTimeout, expires: now.addingTimeInterval(policy.lifetime), proof: proof.kind,
            clientAddress: client.address, userAgent: userAgent.map { String($0.prefix(512)) })
        try await store.save(userSession: record)
        // Ended sessions are removed as new ones open (an indexed delete), so none lingers unused.
        _ = try await store.deleteEndedUserSessions(now: now)
        return ("kbs_\(id)_\(secret)", SignedInUser(session: record, user: admitted.user))
    }

    /// The tenant a sign-in is for: `chosen` (switching directory; membership is checked by the
    /// sign-in itself), else the user's home tenant. Throws ``RegistrationError/userNotFound(_:)``.
    public func signInTenant(upn: String, chosen: String?) async throws(RegistrationError) -> String {
        guard upn.count <= 256, let user = try await store.user(upn: upn) else { throw .userNotFound(upn) }
        if let chosen, !chosen.isEmpty { return chosen }
        return user.homeTenant
    }

    /// The signed-in user of a presented session token: nil when the token is malformed, unknown,
    /// wrong, ended by sign-out, idle too long or past its end (the caller answers 401 without
    /// saying which). The tenant's access rule is checked for `client` on every request (throws
    /// ``RegistrationError/accessDenied(_:)``), and the user must still be a member. Keeps the
    /// session alive (its last-seen time, written at most every `touchInterval`).
    public func resumeUserSession(
        token: String, client: ClientContext, policy: UserSessionPolicy = .standard, now: Date = Date()
    ) async throws(RegistrationError) -> SignedInUser? {
        guard let session = try await storedSession(presented: token) else { return nil }
        let id = session.id
        guard session.isLive(at: now) else {
            _ = try await store.deleteUserSession(id: id)
            return nil
        }
        guard let user = try await store.user(upn: session.upn), user.isMember(of: session.tenant) else { return nil }
        let rule = try await configuration(session.tenant).access
        guard rule.allows(address: client.address, device: client.device) else {
            throw .accessDenied("\(client.place) is not an allowed network or trusted device")
        }
        var live = session
        if now.timeIntervalSince(session.lastSeen) >= policy.touchInterval {
            guard try await store.touchUserSession(id: id, lastSeen: now) else { return nil }
            live.lastSeen = now
        }
        return SignedInUser(session: live, user: user)
    }

    /// Signs out: the session ends on every server. Audited as `signOut`. Does nothing for a token
    /// that opens no session.
    public func closeUserSession(token: String, client: ClientContext) async throws(RegistrationError) {
        guard let session = try await storedSession(presented: token) else { return }
        _ = try await store.deleteUserSession(id: session.id)
        try await audit("signOut", tenant: session.tenant, upn: session.upn, mode: .manage, client: client)
    }

    /// Ends every session of `upn` in `tenant` on every server (Graph's `revokeSignInSessions`),
    /// e.g. after a lost key or phone: the user signs in again with a proof. Audited as
    /// `revokeSessions` with the number ended. Returns how many were ended.
    @discardableResult
    public func revokeUserSessions(upn: String, tenant: String, actor: AuditEvent.Actor, by name: String, client: ClientContext)
        async throws(RegistrationError) -> Int
    {
        guard let user = try await store.user(upn: upn) else { throw .userNotFound(upn) }
        guard user.isMember(of: tenant) else { throw .notAMember(tenant: tenant) }
        let ended = try await store.deleteUserSessions(upn: upn, tenant: tenant)
        try await audit(
            "revokeSessions", tenant: tenant, upn: upn, mode: actor == .admin ? .admin : .manage, client: client, actor: actor,
            reason: "\(ended) by \(name)")
        return ended
    }

    /// The stored session a presented token opens (its secret compared in constant time), live
    /// or not; nil for a malformed, unknown or wrong token.
    private func storedSession(presented token: String) async throws(RegistrationError) -> StoredUserSession? {
        guard let (id, secret) = Self.sessionTokenParts(token), let session = try await store.userSession(id: id),
            ConstantTime.equal(Self.tokenHash(secret, salt: session.salt), session.hash)
        else { return nil }
        return session
    }

    /// `kbs_<24 hex digits>_<secret>` split into id and secret.
    static func sessionTokenParts(_ token: String) -> (id: String, secret: String)? {
        let parts = token.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "kbs", parts[1].count == 24, !parts[2].isEmpty else { return nil }
        return (String(parts[1]), String(parts[2]))
    }
}

extension MFAProof {
    /// The proof's kind as sessions and the audit log name it.
    var kind: String {
        switch self {
        case .fido2Assertion: "fido2"
        case .temporaryAccessPass: "temporaryAccessPass"
        case .oneTimeCode: "oneTimeCode"
        }
    }
}
