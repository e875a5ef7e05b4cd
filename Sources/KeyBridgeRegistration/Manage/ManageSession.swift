import Crypto
import Foundation
import KeyBridgeCBOR
import KeyBridgeFIDO

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

    private init(
        service: RegistrationService, user: DirectoryUser, tenant: String, client: ClientContext, mode: AuditEvent.Mode
    ) throws(RegistrationError) {
        self.service = service
        self.user = user
        self.tenant = tenant
        self.client = client
        self.mode = mode
        configuration = try service.configuration(tenant)
    }

    /// Opens the security-info page for `upn` in `tenant`; every refusal is audited.
    public static func open(
        _ service: RegistrationService, upn: String, tenant: String, client: ClientContext, proof: MFAProof? = nil
    ) throws(RegistrationError) -> ManageSession {
        try admit(service, upn: upn, tenant: tenant, client: client, proof: proof, mode: .manage)
    }

    /// The gate of both modes: membership, the conditional-access rule, and MFA (or a Temporary
    /// Access Pass) when the user has an MFA-capable method or the rule demands it — or always,
    /// with `requireProof` (a sign-in, not a page). Audited as `action`.
    static func admit(
        _ service: RegistrationService, upn: String, tenant: String, client: ClientContext, proof: MFAProof?,
        mode: AuditEvent.Mode, requireProof: Bool = false, action: String = "start"
    ) throws(RegistrationError) -> ManageSession {
        do throws(RegistrationError) {
            guard let user = try service.store.user(upn: upn) else { throw RegistrationError.userNotFound(upn) }
            guard user.isMember(of: tenant) else { throw RegistrationError.notAMember(tenant: tenant) }
            let session = try ManageSession(service: service, user: user, tenant: tenant, client: client, mode: mode)
            let rule = session.configuration.access
            guard rule.allows(address: client.address, device: client.device) else {
                throw RegistrationError.accessDenied("\(client.description) is not an allowed network or trusted device")
            }
            let methods = try service.store.methods(upn: upn, tenant: tenant)
            if requireProof || Self.needsMFA(methods: methods, rule: rule) {
                guard let proof else { throw RegistrationError.mfaRequired }
                try session.verify(proof, methods: methods)
            }
            try service.audit(action, tenant: tenant, upn: upn, mode: mode, client: client)
            return session
        } catch {
            try? service.audit(action, tenant: tenant, upn: upn, mode: mode, client: client, error: error)
            throw error
        }
    }

    /// Whether opening needs an MFA proof: an MFA-capable method exists, or the rule demands it.
    static func needsMFA(methods: [RegisteredMethod], rule: RegistrationAccessRule) -> Bool {
        rule.requireMFA || methods.contains(where: \.kind.servesMFA)
    }

    /// The user's methods in this tenant.
    public func methods() throws(RegistrationError) -> [RegisteredMethod] {
        try service.store.methods(upn: user.upn, tenant: tenant)
    }

    // MARK: Methods other than FIDO2

    /// Adds a method other than a FIDO2 key under the method table and the policy, *without* the
    /// method's own verification flow. Not public: users add methods through the verified flows
    /// (codes, apps, tokens, questions, app passwords, FIDO2); admins through
    /// ``RegistrationService/adminAddContact(_:upn:tenant:admin:client:)``.
    func add(_ draft: MethodDraft) throws(RegistrationError) -> RegisteredMethod {
        try audited("register") { () throws(RegistrationError) -> RegisteredMethod in
            let kind = draft.methodKind
            guard kind.userCanRegister else { throw .cannotRegister(kind) }
            guard configuration.methods.allows(kind, for: user) else { throw .methodDisabled(kind) }
            if draft.kind == .appPassword && user.mfaEnforcement != .perUserMFA { throw .methodDisabled(.appPassword) }
            return try service.store.addMethod(draft, upn: user.upn, tenant: tenant)
        }
    }

    /// Changes a phone number or e-mail address.
    public func change(methodID: String, to value: String) throws(RegistrationError) {
        try audited("change") { () throws(RegistrationError) in
            let method = try find(methodID)
            guard method.kind.userCanChange else { throw .cannotChange(method.kind) }
            try service.store.changeMethod(id: methodID, upn: user.upn, tenant: tenant, displayValue: value)
        }
    }

    /// Deletes any method.
    public func delete(methodID: String) throws(RegistrationError) {
        try audited("delete") { () throws(RegistrationError) in
            let method = try find(methodID)
            try service.store.deleteMethod(id: methodID, upn: user.upn, tenant: tenant)
            if method.kind == .hardwareToken,
                let token = try service.store.tokens(tenant: tenant).first(where: { $0.activatedMethodID == methodID })
            {
                // The token goes back to the inventory, ready to be activated again.
                try service.store.assignToken(serial: token.serial, tenant: tenant, methodID: nil)
            }
        }
    }

    /// Makes a method the default MFA method (only the four default-capable kinds).
    public func setDefault(methodID: String) throws(RegistrationError) {
        try audited("defaultChange") { () throws(RegistrationError) in
            let method = try find(methodID)
            guard method.kind.canBeDefaultMFA else { throw .notDefaultCapable(method.kind) }
            try service.store.setDefault(id: methodID, upn: user.upn, tenant: tenant)
        }
    }

    /// The user confirms their security info is current.
    public func confirmReview() throws(RegistrationError) {
        try service.audit("review", tenant: tenant, upn: user.upn, mode: mode, client: client)
    }

    // MARK: FIDO2

    /// WebAuthn creation options for a new key, with a single-use challenge.
    public func beginFIDO2Registration() throws(RegistrationError) -> FIDO2CreationOptions {
        try audited("fido2Options") { () throws(RegistrationError) -> FIDO2CreationOptions in
            guard configuration.methods.allows(.fido2SecurityKey, for: user) else { throw .methodDisabled(.fido2SecurityKey) }
            guard configuration.methods.fido2.selfServiceSetup else { throw .fido2SelfServiceDisabled }
            let challenge = RandomBytes.make(32)
            let expires = Date().addingTimeInterval(configuration.challengeLifetime)
            try service.store.saveChallenge(challenge, upn: user.upn, tenant: tenant, expires: expires)
            let keys = try methods().compactMap(\.fido2?.credentialID)
            return FIDO2CreationOptions(
                challenge: challenge, expires: expires, relyingParty: configuration.relyingParty,
                origin: configuration.origin,
                userHandle: Array(SHA256.hash(data: Array("\(tenant)/\(user.upn)".utf8))),
                userName: user.upn, userDisplayName: user.displayName, excludeCredentials: keys,
                residentKey: configuration.methods.fido2.requireResidentKey,
                userVerification: configuration.methods.fido2.requireUserVerification,
                attestation: configuration.methods.fido2.enforceAttestation ? "direct" : "none")
        }
    }

    /// Verifies the bridge's `RegistrationResponseJSON` against `options` and the policy and, only
    /// if every check passes, stores the key. Any refusal stores nothing and is audited.
    public func completeFIDO2Registration(
        _ response: RegistrationResponseJSON, options: FIDO2CreationOptions, friendlyName: String? = nil
    ) async throws(RegistrationError) -> RegisteredMethod {
        do throws(RegistrationError) {
            guard let expires = try service.store.consumeChallenge(options.challenge, upn: user.upn, tenant: tenant) else {
                throw RegistrationError.challengeUnknownOrUsed
            }
            guard expires > Date() else { throw RegistrationError.challengeExpired }
            let verifier = FIDO2RegistrationVerifier(settings: configuration.methods.fido2, options: options)
            let verified = try await verifier.verify(response, tenant: tenant, upn: user.upn, friendlyName: friendlyName)
            // The key and its audit entry are written together: either both or neither.
            return try service.store.addFIDO2Key(
                verified,
                audit: service.auditEvent(
                    "register", tenant: tenant, upn: user.upn, mode: .manage, client: client, reason: "fido2SecurityKey"))
        } catch {
            try? service.audit("register", tenant: tenant, upn: user.upn, mode: .manage, client: client, error: error)
            throw error
        }
    }

    // MARK: Helpers

    private func find(_ id: String) throws(RegistrationError) -> RegisteredMethod {
        guard let method = try methods().first(where: { $0.id == id }) else { throw .methodNotFound(id) }
        return method
    }

    func audited<T>(_ action: String, _ body: () throws(RegistrationError) -> T) throws(RegistrationError) -> T {
        do throws(RegistrationError) {
            let result = try body()
            try service.audit(action, tenant: tenant, upn: user.upn, mode: mode, client: client)
            return result
        } catch {
            try? service.audit(action, tenant: tenant, upn: user.upn, mode: mode, client: client, error: error)
            throw error
        }
    }

    /// Checks an MFA proof: a FIDO2 assertion (signature, challenge, and a sign counter that moves forward).
    private func verify(_ proof: MFAProof, methods: [RegisteredMethod]) throws(RegistrationError) {
        switch proof {
        case .temporaryAccessPass(let pass):
            try service.redeemTemporaryAccessPass(pass, upn: user.upn, tenant: tenant)
        case .oneTimeCode(let methodID, let code):
            try verifyOneTimeCode(methodID: methodID, code: code, methods: methods)
        case .fido2Assertion(let assertion):
            guard let clientDataText = assertion.response.clientDataJSON, let clientData = Base64URL.decode(clientDataText),
                let parsed = try? JSONSerialization.jsonObject(with: Data(clientData)) as? [String: Any],
                parsed["type"] as? String == "webauthn.get", parsed["origin"] as? String == configuration.origin,
                let challengeText = parsed["challenge"] as? String, let challenge = Base64URL.decode(challengeText)
            else { throw .mfaProofRejected("the assertion's client data is not a sign-in for \(configuration.origin)") }
            guard let expires = try service.store.consumeChallenge(challenge, upn: user.upn, tenant: tenant), expires > Date()
            else { throw .mfaProofRejected("the challenge is unknown, used or expired") }
            guard let id = Base64URL.decode(assertion.id),
                let method = methods.first(where: { $0.fido2?.credentialID == id }), let key = method.fido2
            else { throw .mfaProofRejected("the key is not registered to this user in this tenant") }
            guard let publicKey = try? CBORDecoder(strict: false).decode(key.publicKeyCOSE) else {
                throw .store("the stored public key cannot be decoded")
            }
            do {
                try FidoVerifier.verifyAssertion(assertion, rpID: configuration.relyingParty.id, publicKey: publicKey)
            } catch {
                throw .mfaProofRejected("the assertion's signature does not verify")
            }
            guard let authData = Base64URL.decode(assertion.response.authenticatorData),
                let parsedAuth = try? AuthenticatorData(authData)
            else { throw .mfaProofRejected("malformed authenticator data") }
            if parsedAuth.signCount != 0 || key.signCount != 0, parsedAuth.signCount <= key.signCount {
                throw .mfaProofRejected("the sign counter went backwards: the key may be cloned")
            }
            try service.store.updateSignCount(methodID: method.id, to: parsedAuth.signCount)
        }
    }
}
