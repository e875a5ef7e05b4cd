import Foundation

extension RegistrationService {
    /// An admin records a user's phone number or e-mail address (as directory admins can); other
    /// methods need the user and their own verification flow. Audited with actor `admin`.
    public func adminAddContact(_ draft: MethodDraft, upn: String, tenant: String, admin: String, client: ClientContext)
        throws(RegistrationError) -> RegisteredMethod
    {
        do throws(RegistrationError) {
            guard [.phone, .alternatePhone, .officePhone, .email].contains(draft.kind) else { throw .cannotRegister(draft.kind) }
            guard let user = try store.user(upn: upn) else { throw .userNotFound(upn) }
            guard user.isMember(of: tenant) else { throw .notAMember(tenant: tenant) }
            guard try configuration(tenant).methods.allows(draft.kind, for: user) else { throw .methodDisabled(draft.kind) }
            let method = try store.addMethod(draft, upn: upn, tenant: tenant)
            try audit("register", tenant: tenant, upn: upn, mode: .admin, client: client, actor: .admin, reason: admin)
            return method
        } catch {
            try? audit("register", tenant: tenant, upn: upn, mode: .admin, client: client, error: error, actor: .admin)
            throw error
        }
    }

    /// Interrupt mode at sign-in: decides for `upn` in `tenant` and audits the interruption. The
    /// last review is the last successful `review` in the audit log.
    public func interrupt(
        upn: String, tenant: String, client: ClientContext, resourceRequiresMFA: Bool = false, now: Date = Date()
    ) throws(RegistrationError) -> InterruptDecision {
        guard let user = try store.user(upn: upn) else { throw .userNotFound(upn) }
        guard user.isMember(of: tenant) else { throw .notAMember(tenant: tenant) }
        let lastReviewed = try store.auditEvents(tenant: tenant)
            .last { $0.upn == upn && $0.action == "review" && $0.outcome == .success }?.time
        let decision = InterruptPlanner.decide(
            user: user, configuration: try configuration(tenant), existing: try store.methods(upn: upn, tenant: tenant),
            resourceRequiresMFA: resourceRequiresMFA, lastReviewed: lastReviewed, now: now)
        try audit("interrupt", tenant: tenant, upn: upn, mode: .interrupt, client: client, reason: decision.action.rawValue)
        return decision
    }

    /// The user confirmed their security info during an interrupt-mode review.
    public func confirmInterruptReview(upn: String, tenant: String, client: ClientContext) throws(RegistrationError) {
        try audit("review", tenant: tenant, upn: upn, mode: .interrupt, client: client)
    }
}
