import Crypto
import Foundation
import KeyBridgeCBOR
import KeyBridgeWebAuthn

/// Manage mode: the security-info page. Opening it takes MFA (when the user already has an
/// MFA-capable method) and the conditional-access rule; then methods can be added, changed,
/// deleted and made default. **Adding a FIDO2 key exists only here.**
public final class ManageSession: Sendable {
    public let service: RegistrationService
    public let user: DirectoryUser
    public let tenant: String
    public let client: ClientContext
    let configuration: TenantConfiguration
    /// `manage` for the security-info page; `interrupt` only inside an ``InterruptReview``.
    let mode: AuditEvent.Mode
    /// Who acts: the user, or an admin (an API token) on the user's behalf.
    public let actor: AuditEvent.Actor

    private init(
        service: RegistrationService, user: DirectoryUser, tenant: String, client: ClientContext, mode: AuditEvent.Mode,
        actor: AuditEvent.Actor
    ) async throws(RegistrationError) {
        self.service = service
        self.user = user
        self.tenant = tenant
        self.client = client
        self.mode = mode
        self.actor = actor
        configuration = try await service.configuration(tenant)
    }

    /// Opens the security-info page for `upn` in `tenant`; every refusal is audited.
    public static func open(
        _ service: RegistrationService, upn: String, tenant: String, client: ClientContext, proof: MFAProof? = nil
    ) async throws(RegistrationError) -> ManageSession {
        try await admit(service, upn: upn, tenant: tenant, client: client, proof: proof, mode: .manage)
    }

    /// Opens `upn`'s security info for an admin or kiosk acting on the user's behalf (as Graph's
    /// on-behalf registration does): the caller's API token must carry the `manage` scope for the
    /// tenant, and the access rule applies to the caller's address. The user's MFA is not asked
    /// for — the token stands for an authenticated admin — and everything is audited with actor
    /// `admin` and the token's name. Keys still go through the same verifier and store path.
    public static func open(
        _ service: RegistrationService, onBehalfOf principal: APIPrincipal, upn: String, tenant: String, client: ClientContext
    ) async throws(RegistrationError) -> ManageSession {
        try await admit(service, upn: upn, tenant: tenant, client: client, proof: nil, mode: .manage, principal: principal)
    }

    /// Opens the security-info page of a user who signed in (``RegistrationService/openUserSession(upn:tenant:client:proof:userAgent:policy:now:)``):
    /// the session stands for the MFA proof given at sign-in; membership and the access rule are
    /// checked again for this request's `client`.
    public static func open(_ service: RegistrationService, signedIn: SignedInUser, client: ClientContext) async throws(RegistrationError)
        -> ManageSession
    {
        try await admit(service, upn: signedIn.upn, tenant: signedIn.tenant, client: client, proof: nil, mode: .manage, signedIn: signedIn)
    }

    /// The gate of both modes: membership, the conditional-access rule, and MFA (or a Temporary
    /// Access Pass) when the user has an MFA-capable method or the rule demands it — or always,
    /// with `requireProof` (a sign-in, not a page). Audited as `action`.
    static func admit(
        _ service: RegistrationService, upn: String, tenant: String, client: ClientContext, proof: MFAProof?,
        mode: AuditEvent.Mode, requireProof: Bool = false, action: String = "start", principal: APIPrincipal? = nil,
        signedIn: SignedInUser? = nil
    ) async throws(RegistrationError) -> ManageSession {
        let actor: AuditEvent.Actor = principal == nil ? .user : .admin
        do throws(RegistrationError) {
            if let principal, !principal.allows(.manage, in: tenant) {
                throw RegistrationError.accessDenied("the API token \(principal.name) may not manage security info in \(tenant)")
            }
            guard let user = try await service.store.user(upn: upn) else { throw RegistrationError.userNotFound(upn) }
            guard user.isMember(of: tenant) else { throw RegistrationError.notAMember(tenant: tenant) }
            let session = try await ManageSession(service: service, user: user, tenant: tenant, client: client, mode: mode, actor: actor)
            let rule = session.configuration.access
            guard rule.allows(address: client.address, device: client.device) else {
                throw RegistrationError.accessDenied("\(client.place) is not an allowed network or trusted device")
            }
            let methods = try await service.store.methods(upn: upn, tenant: tenant)
            if principal == nil, signedIn == nil {
                // A proof given is always checked (a wrong pass is refused, a right one used up),
                // needed or not; one missing is refused when the gate asks for one.
                if let proof {
                    try await session.verify(proof, methods: methods)
                } else if requireProof || Self.needsMFA(methods: methods, rule: rule) {
                    throw RegistrationError.mfaRequired
                } else if Self.needsPass(methods: methods, rule: rule) {
                    throw RegistrationError.temporaryAccessPassRequired
                }
            }
            try await service.audit(
                action, tenant: tenant, upn: upn, mode: mode, client: client, actor: actor,
                reason: principal.map { "on behalf: \($0.name)" } ?? (requireProof ? proof?.kind : signedIn.map { "session: \($0.proof)" }))
            return session
        } catch {
            try? await service.audit(action, tenant: tenant, upn: upn, mode: mode, client: client, error: error, actor: actor)
            throw error
        }
    }

    /// Whether opening needs an MFA proof: an MFA-capable method exists, or the rule demands it.
    static func needsMFA(methods: [RegisteredMethod], rule: RegistrationAccessRule) -> Bool {
        rule.requireMFA || methods.contains(where: \.kind.servesMFA)
    }

    /// Whether opening needs a Temporary Access Pass because the user has nothing else to prove
    /// who they are with, and the policy does not let a first method in without proof.
    static func needsPass(methods: [RegisteredMethod], rule: RegistrationAccessRule) -> Bool {
        !needsMFA(methods: methods, rule: rule) && !rule.allowFirstRegistrationWithoutProof
    }

    /// The user's methods in this tenant.
    public func methods() async throws(RegistrationError) -> [RegisteredMethod] {
        try await service.store.methods(upn: user.upn, tenant: tenant)
    }

    // MARK: Methods other than FIDO2

    /// Adds a method other than a FIDO2 key under the method table and the policy, *without* the
    /// method's own verification flow. Not public: users add methods through the verified flows
    /// (codes, apps, tokens, questions, app passwords, FIDO2); admins through
    /// ``RegistrationService/adminAddContact(_:upn:tenant:admin:client:)``.
    func add(_ draft: MethodDraft) async throws(RegistrationError) -> RegisteredMethod {
        try await audited("register") { () async throws(RegistrationError) -> RegisteredMethod in
            let kind = draft.methodKind
            guard kind.userCanRegister else { throw .cannotRegister(kind) }
            guard configuration.methods.allows(kind, for: user) else { throw .methodDisabled(kind) }
            if draft.kind == .appPassword && user.mfaEnforcement != .perUserMFA { throw .methodDisabled(.appPassword) }
            return try await service.store.addMethod(draft, upn: user.upn, tenant: tenant)
        }
    }

    /// Changes a phone number or e-mail address.
    public func change(methodID: String, to value: String) async throws(RegistrationError) {
        try await audited("change") { () async throws(RegistrationError) in
            let method = try await find(methodID)
            guard method.kind.userCanChange else { throw .cannotChange(method.kind) }
            try await service.store.changeMethod(id: methodID, upn: user.upn, tenant: tenant, displayValue: value)
        }
    }

    /// Deletes any method.
    public func delete(methodID: String) async throws(RegistrationError) {
        try await audited("delete") { () async throws(RegistrationError) in
            let method = try await find(methodID)
            try await service.store.deleteMethod(id: methodID, upn: user.upn, tenant: tenant)
            if method.kind == .hardwareToken,
                let token = try await service.store.tokens(tenant: tenant).first(where: { $0.activatedMethodID == methodID })
            {
                // The token goes back to the inventory, ready to be activated again.
                try await service.store.assignToken(serial: token.serial, tenant: tenant, methodID: nil)
            }
        }
    }

    /// Makes a method the default MFA method (only the four default-capable kinds).
    public func setDefault(methodID: String) async throws(RegistrationError) {
        try await audited("defaultChange") { () async throws(RegistrationError) in
            let method = try await find(methodID)
            guard method.kind.canBeDefaultMFA else { throw .notDefaultCapable(method.kind) }
            try await service.store.setDefault(id: methodID, upn: user.upn, tenant: tenant)
        }
    }

    /// The user confirms their security info is current.
    public func confirmReview() async throws(RegistrationError) {
        try await service.audit("review", tenant: tenant, upn: user.upn, mode: mode, client: client, actor: actor)
    }

    // MARK: FIDO2

    /// WebAuthn creation options for a new key, with a single-use challenge. The options are kept
    /// in the store with the challenge: completing the ceremony checks against them, never
    /// against options a client hands back, so any server sharing the store can complete it.
    /// - Parameter challengeLifetime: how long the challenge stays valid (Graph's
    ///   `challengeTimeoutInMinutes`: 5 minutes to 30 days); the tenant's lifetime when nil.
    public func beginFIDO2Registration(challengeLifetime: TimeInterval? = nil) async throws(RegistrationError) -> FIDO2CreationOptions {
        try await audited("fido2Options") { () async throws(RegistrationError) -> FIDO2CreationOptions in
            guard configuration.methods.allows(.fido2SecurityKey, for: user) else { throw .methodDisabled(.fido2SecurityKey) }
            guard configuration.methods.fido2.selfServiceSetup else { throw .fido2SelfServiceDisabled }
            if let challengeLifetime, !(Self.challengeLifetimeRange ~= challengeLifetime) {
                throw .invalidInput("the challenge timeout must be between 5 and 43200 minutes")
            }
            let challenge = RandomBytes.make(32)
            let expires = Date().addingTimeInterval(challengeLifetime ?? configuration.challengeLifetime)
            let options = FIDO2CreationOptions(
                challenge: challenge, expires: expires, relyingParty: configuration.relyingParty,
                origin: configuration.origin, userHandle: FIDO2CreationOptions.userHandle(upn: user.upn, tenant: tenant),
                userName: user.upn, userDisplayName: user.displayName,
                excludeCredentials: try await methods().compactMap(\.fido2?.credentialID),
                residentKey: configuration.methods.fido2.requireResidentKey,
                userVerification: configuration.methods.fido2.requireUserVerification,
                // Key restrictions need the key's real AAGUID: browsers zero it out under "none".
                attestation: configuration.methods.fido2.enforceAttestation || configuration.methods.fido2.restriction != .none
                    ? "direct" : "none")
            try await service.store.saveChallenge(
                challenge, upn: user.upn, tenant: tenant, expires: expires, ceremony: try options.ceremonyState())
            return options
        }
    }

    /// Verifies the bridge's (or a browser's) `RegistrationResponseJSON` against the options this
    /// service issued for its challenge (looked up, and used up, in the store) and the policy and,
    /// only if every check passes, stores the key. Any refusal stores nothing and is audited.
    public func completeFIDO2Registration(_ response: RegistrationResponseJSON, friendlyName: String? = nil)
        async throws(RegistrationError) -> RegisteredMethod
    {
        do throws(RegistrationError) {
            guard let clientDataText = response.response.clientDataJSON,
                let challenge = ClientDataChallenge.extract(base64url: clientDataText)
            else { throw RegistrationError.malformedResponse("clientDataJSON is missing, not JSON, or has no challenge") }
            guard let stored = try await service.store.consumeChallenge(challenge, upn: user.upn, tenant: tenant),
                let options = FIDO2CreationOptions(ceremonyState: stored.ceremony)
            else { throw RegistrationError.challengeUnknownOrUsed }
            guard stored.expires > Date() else { throw RegistrationError.challengeExpired }
            let verifier = FIDO2RegistrationVerifier(settings: configuration.methods.fido2, options: options) {
                [service] aaguid throws(RegistrationError) in try await service.metadataEntry(aaguid: aaguid)
            }
            let verified = try await verifier.verify(response, tenant: tenant, upn: user.upn, friendlyName: friendlyName)
            // The key and its audit entry are written together: either both or neither.
            return try await service.store.addFIDO2Key(
                verified,
                audit: service.auditEvent(
                    "register", tenant: tenant, upn: user.upn, mode: .manage, client: client, actor: actor, reason: "fido2SecurityKey"))
        } catch {
            try? await service.audit("register", tenant: tenant, upn: user.upn, mode: .manage, client: client, error: error, actor: actor)
            throw error
        }
    }

    /// The challenge lifetimes a caller may ask for (Graph allows 5 minutes to 30 days).
    public static let challengeLifetimeRange: ClosedRange<TimeInterval> = 300...(43_200 * 60)

    // MARK: Helpers

    func find(_ id: String) async throws(RegistrationError) -> RegisteredMethod {
        guard let method = try await methods().first(where: { $0.id == id }) else { throw .methodNotFound(id) }
        return method
    }

    func audited<T>(_ action: String, _ body: () async throws(RegistrationError) -> T) async throws(RegistrationError) -> T {
        do throws(RegistrationError) {
            let result = try await body()
            try await service.audit(action, tenant: tenant, upn: user.upn, mode: mode, client: client, actor: actor)
            return result
        } catch {
            try? await service.audit(action, tenant: tenant, upn: user.upn, mode: mode, client: client, error: error, actor: actor)
            throw error
        }
    }

    /// Checks an MFA proof: a FIDO2 assertion (signature, challenge, and a sign counter that moves forward).
    private func verify(_ proof: MFAProof, methods: [RegisteredMethod]) async throws(RegistrationError) {
        switch proof {
        case .temporaryAccessPass(let pass):
            try await service.redeemTemporaryAccessPass(pass, upn: user.upn, tenant: tenant)
        case .oneTimeCode(let methodID, let code):
            try await verifyOneTimeCode(methodID: methodID, code: code, methods: methods)
        case .fido2Assertion(let assertion):
            guard let clientDataText = assertion.response.clientDataJSON, let clientData = Base64URL.decode(clientDataText),
                let parsed = try? JSONSerialization.jsonObject(with: Data(clientData)) as? [String: Any],
                parsed["type"] as? String == "webauthn.get", parsed["origin"] as? String == configuration.origin,
                let challengeText = parsed["challenge"] as? String, let challenge = Base64URL.decode(challengeText)
            else { throw .mfaProofRejected("the assertion's client data is not a sign-in for \(configuration.origin)") }
            // A sign-in challenge has no ceremony state: a registration's challenge cannot be replayed here.
            guard let stored = try await service.store.consumeChallenge(challenge, upn: user.upn, tenant: tenant),
                stored.ceremony == nil, stored.expires > Date()
            else { throw .mfaProofRejected("the challenge is unknown, used or expired") }
            guard let id = Base64URL.decode(assertion.id),
                let method = methods.first(where: { $0.fido2?.credentialID == id }), let key = method.fido2
            else { throw .mfaProofRejected("the key is not registered to this user in this tenant") }
            guard let publicKey = try? CBORDecoder(strict: false).decode(key.publicKeyCOSE) else {
                throw .store("the stored public key cannot be decoded")
            }
            do {
                try WebAuthnVerifier.verifyAssertion(assertion, rpID: configuration.relyingParty.id, publicKey: publicKey)
            } catch {
                throw .mfaProofRejected("the assertion's signature does not verify")
            }
            guard let authData = Base64URL.decode(assertion.response.authenticatorData),
                let parsedAuth = try? AuthenticatorData(authData)
            else { throw .mfaProofRejected("malformed authenticator data") }
            // Keys without a counter report 0 every time; any other key must move it forward, and the
            // store advances it atomically (two servers cannot both accept one counter value).
            if parsedAuth.signCount != 0 || key.signCount != 0 {
                guard try await service.store.advanceSignCount(methodID: method.id, to: parsedAuth.signCount) else {
                    // The cloned-key signal gets an audit event of its own, naming the key, for admins to act on.
                    try? await service.audit(
                        "signCountRegression", tenant: tenant, upn: user.upn, mode: mode, client: client,
                        error: .mfaProofRejected("the sign counter went backwards"),
                        reason: "key \(method.id): counter \(parsedAuth.signCount), stored \(key.signCount); the key may be cloned")
                    throw .mfaProofRejected("the sign counter went backwards: the key may be cloned")
                }
            }
        }
    }
}
