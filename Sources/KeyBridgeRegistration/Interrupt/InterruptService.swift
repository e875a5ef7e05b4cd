import Foundation

extension RegistrationService {
    /// Interrupt mode at sign-in: decides for `upn` in `tenant` and audits the interruption. The
    /// last review is the last successful `review` or `register` in the audit log.
    public func interrupt(
        upn: String, tenant: String, client: ClientContext, resourceRequiresMFA: Bool = false, now: Date = Date()
    ) async throws(RegistrationError) -> InterruptDecision {
        let decision = try await plan(upn: upn, tenant: tenant, resourceRequiresMFA: resourceRequiresMFA, now: now)
        try await audit("interrupt", tenant: tenant, upn: upn, mode: .interrupt, client: client, reason: decision.action.rawValue)
        return decision
    }

    /// The decision, not audited.
    func plan(upn: String, tenant: String, resourceRequiresMFA: Bool = false, now: Date = Date()) async throws(RegistrationError)
        -> InterruptDecision
    {
        guard let user = try await store.user(upn: upn) else { throw .userNotFound(upn) }
        guard user.isMember(of: tenant) else { throw .notAMember(tenant: tenant) }
        // Registering a method confirms the security info as much as a review does.
        var lastReviewed: Date?
        for action in ["review", "register"] {
            let time = try await store.allAuditEvents(matching: AuditQuery(tenant: tenant, upn: upn, action: action, failures: false)).last?.time
            if let time, time > (lastReviewed ?? .distantPast) { lastReviewed = time }
        }
        return InterruptPlanner.decide(
            user: user, configuration: try await configuration(tenant), existing: try await store.methods(upn: upn, tenant: tenant),
            resourceRequiresMFA: resourceRequiresMFA, lastReviewed: lastReviewed, now: now)
    }

    /// Opens the re-confirm review of interrupt mode: like the security-info page it needs MFA (or
    /// a Temporary Access Pass) when the user has an MFA-capable method, and the access rule.
    public func openReview(upn: String, tenant: String, client: ClientContext, proof: MFAProof? = nil)
        async throws(RegistrationError) -> InterruptReview
    {
        InterruptReview(session: try await ManageSession.admit(self, upn: upn, tenant: tenant, client: client, proof: proof, mode: .interrupt))
    }

    /// Whether `upn` may operate an enrollment kiosk for `tenant`: a member of the tenant (home or
    /// guest) in the operator `group`. Signing in (``signIn(upn:tenant:client:proof:)``) still
    /// takes an MFA proof.
    public func isKioskOperator(upn: String, tenant: String, group: String) async throws(RegistrationError) -> Bool {
        guard let user = try await store.user(upn: upn) else { return false }
        return user.isMember(of: tenant) && user.groups.contains(group)
    }

    /// Signs someone in to act for the tenant (a kiosk operator): the access rule and an MFA proof
    /// — a one-time code, a security-key assertion or a Temporary Access Pass — always, even
    /// without registered methods. Audited as `signIn` in admin mode.
    public func signIn(upn: String, tenant: String, client: ClientContext, proof: MFAProof) async throws(RegistrationError) -> DirectoryUser {
        try await ManageSession.admit(
            self, upn: upn, tenant: tenant, client: client, proof: proof, mode: .admin, requireProof: true, action: "signIn"
        ).user
    }
}

/// The review shown at sign-in when the re-confirm interval has passed: every registered method,
/// to confirm; changes are made on the security-info page (``ManageSession``). It cannot add
/// methods, least of all FIDO2 keys.
public struct InterruptReview: Sendable {
    let session: ManageSession

    /// Every method the user has in this tenant.
    public func methods() async throws(RegistrationError) -> [RegisteredMethod] { try await session.methods() }

    /// The user confirms their info is current; the re-confirm clock starts again.
    public func confirm() async throws(RegistrationError) { try await session.confirmReview() }
}
