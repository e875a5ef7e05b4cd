import Foundation

/// Interrupt mode for a signed-in user: the wizard's steps (register what the planner asks for,
/// "set up a different method", skip where only SSPR asks). Every step works on a method the
/// decision offers — shown or alternative — and is audited in interrupt mode. It has no way to
/// add a FIDO2 key (the planner never offers one, and this type holds no key operation): keys
/// are added on the security-info page only.
///
/// Begun steps are kept in the directory (``StoredPendingStep``), so the next request may reach
/// any server.
public struct InterruptRegistration: Sendable {
    let session: ManageSession

    /// Opens interrupt mode for a user who signed in (their session stands for the MFA proof);
    /// membership and the access rule are checked for this request.
    public static func open(_ service: RegistrationService, signedIn: SignedInUser, client: ClientContext) async throws(RegistrationError)
        -> InterruptRegistration
    {
        InterruptRegistration(
            session: try await ManageSession.admit(
                service, upn: signedIn.upn, tenant: signedIn.tenant, client: client, proof: nil, mode: .interrupt, signedIn: signedIn))
    }

    public var user: DirectoryUser { session.user }

    /// What sign-in asks of the user now; audited as `interrupt` (once per sign-in: pages that
    /// show the same decision again pass `audited: false`).
    public func decision(audited: Bool = true) async throws(RegistrationError) -> InterruptDecision {
        audited
            ? try await session.service.interrupt(upn: user.upn, tenant: session.tenant, client: session.client)
            : try await session.service.plan(upn: user.upn, tenant: session.tenant)
    }

    /// Every method the user has in this tenant.
    public func methods() async throws(RegistrationError) -> [RegisteredMethod] { try await session.methods() }

    /// Refuses a kind the decision does not offer now (neither shown nor an alternative).
    private func requireOffered(_ kind: MethodKind) async throws(RegistrationError) {
        let decision = try await session.service.plan(upn: user.upn, tenant: session.tenant)
        guard decision.shownMethods.contains(kind) || decision.alternatives.contains(kind) else { throw .cannotRegister(kind) }
    }

    /// A new authenticator app's secret and otpauth URI (to show once, as a QR code and as text),
    /// kept in the directory under the returned id until the user proves a code.
    public func beginAuthenticatorApp(kind: MethodKind, label: String) async throws(RegistrationError)
        -> (id: String, app: PendingAuthenticatorApp)
    {
        try await requireOffered(kind)
        return try await session.beginAuthenticatorAppStep(kind: kind, label: label)
    }

    /// The app begun under `id`, shown again (now pending under the returned id).
    public func pendingAuthenticatorApp(id: String) async throws(RegistrationError) -> (id: String, app: PendingAuthenticatorApp) {
        try await session.resumeAuthenticatorAppStep(id: id)
    }

    /// Adds the app begun under `id` when `code` is its current code. On a wrong code the step
    /// stays pending: the error comes with the id to retry under.
    public func completeAuthenticatorApp(id: String, code: String) async throws(PendingStepError) -> RegisteredMethod {
        try await session.completeAuthenticatorAppStep(id: id, code: code)
    }

    /// Sends a code to a new phone number or e-mail address; the step is kept under the returned id.
    public func beginContact(_ kind: MethodKind, destination: String, delivery: any CodeDelivery, catalog: MessageCatalog)
        async throws(RegistrationError) -> String
    {
        try await requireOffered(kind)
        return try await session.beginContactStep(kind, destination: destination, delivery: delivery, catalog: catalog)
    }

    /// Adds the contact begun under `id` when `code` is the one sent; a wrong code leaves it pending.
    public func completeContact(id: String, code: String) async throws(PendingStepError) -> RegisteredMethod {
        try await session.completeContactStep(id: id, code: code)
    }

    /// Registers security questions (three or more, answers hashed) when the decision offers them.
    public func registerSecurityQuestions(_ answers: [(question: String, answer: String)]) async throws(RegistrationError)
        -> RegisteredMethod
    {
        try await requireOffered(.securityQuestions)
        return try await session.registerSecurityQuestions(answers)
    }

    /// Skips registration for now: only when SSPR alone asks (the seed: skippable indefinitely).
    /// Audited as `skip`.
    public func skip() async throws(RegistrationError) {
        try await session.audited("skip") { () async throws(RegistrationError) in
            guard try await session.service.plan(upn: user.upn, tenant: session.tenant).action == .registerSkippable else {
                throw .invalidInput("registration is required now and cannot be skipped")
            }
        }
    }

    /// Confirms a due review (the re-confirm clock starts again).
    public func confirmReview() async throws(RegistrationError) {
        try await session.confirmReview()
    }
}

/// A refused finishing step: the refusal, and the id the step is still pending under (nil when
/// it is gone: unknown, used or expired).
public struct PendingStepError: Error, Sendable {
    public let refusal: RegistrationError
    public let retryID: String?

    public init(_ refusal: RegistrationError, retryID: String?) {
        self.refusal = refusal
        self.retryID = retryID
    }
}
