import Foundation
import KeyBridgeWebAuthn

/// Where a request comes from: a network address, for kiosks a named device, and for a browser
/// its user agent (recorded in the audit log, never used to decide anything).
public struct ClientContext: Sendable, Hashable {
    public var address: String
    public var device: String?
    public var userAgent: String?
    public init(address: String, device: String? = nil, userAgent: String? = nil) {
        self.address = address
        self.device = device
        self.userAgent = userAgent.map { String($0.prefix(200)) }
    }

    /// The device and address, as refusals name them.
    var place: String { device.map { "\($0) (\(address))" } ?? address }

    /// The place and the user agent, as the audit log records them.
    var description: String { userAgent.map { "\(place); \($0)" } ?? place }
}

/// How a user proves MFA to open their security info.
public enum MFAProof: Sendable {
    /// A WebAuthn assertion from one of the user's FIDO2 keys, over a challenge from
    /// ``RegistrationService/mfaChallenge(upn:tenant:)``.
    case fido2Assertion(AuthenticationResponseJSON)
    /// A Temporary Access Pass an admin issued.
    case temporaryAccessPass(String)
    /// A one-time code from one of the user's authenticator apps (or activated hardware tokens):
    /// the method `methodID`, or any of the user's OTP methods when it is nil.
    case oneTimeCode(methodID: String?, code: String)
}

extension MFAProof {
    /// What a person typed when asked to verify: up to 8 digits is a one-time code (from `otpMethod`,
    /// or any of the user's OTP methods), anything else a Temporary Access Pass (whose alphabet has
    /// letters). Every interface reads a typed answer this way.
    public init(typed answer: String, otpMethod: String? = nil) {
        self = !answer.isEmpty && answer.count <= 8 && answer.allSatisfy(\.isNumber)
            ? .oneTimeCode(methodID: otpMethod, code: answer) : .temporaryAccessPass(answer)
    }
}

/// The registration module's entry point: tenants' configurations, the store and the audit log.
public final class RegistrationService: Sendable {
    public let store: any RegistrationStore
    private let configurations: [String: TenantConfiguration]
    let sealer: SecretSealer
    /// Wrong one-time codes, counted in the store (so across processes).
    var codeAttempts: AttemptLimiter { AttemptLimiter(store: store) }

    /// A service whose tenants' policies are read from the store (``RegistrationStore/configuration(tenant:)``),
    /// except those given in `configurations`, which take precedence.
    /// - Parameter sealer: encrypts OTP secrets at rest (use ``SecretSealer/init(keyFile:)`` for a file store).
    public init(
        store: any RegistrationStore, configurations: [String: TenantConfiguration] = [:], sealer: SecretSealer = SecretSealer()
    ) {
        self.store = store
        self.configurations = configurations
        self.sealer = sealer
    }

    /// The directory at `location`: its store, its key file, policies from the store.
    public convenience init(location: DirectoryLocation) throws(RegistrationError) {
        let (store, sealer) = try location.open()
        self.init(store: store, sealer: sealer)
    }

    /// Whether opening `upn`'s security info in `tenant` needs an MFA proof: the user has an
    /// MFA-capable method there, or the access rule always demands MFA.
    public func requiresMFA(upn: String, tenant: String) async throws(RegistrationError) -> Bool {
        ManageSession.needsMFA(methods: try await store.methods(upn: upn, tenant: tenant), rule: try await configuration(tenant).access)
    }

    /// Whether opening `upn`'s security info needs any proof: MFA (``requiresMFA(upn:tenant:)``),
    /// or a Temporary Access Pass because the user has no MFA-capable method and the policy does
    /// not let a first method in without proof (`registrationAccess.allowFirstRegistrationWithoutProof`).
    public func requiresProof(upn: String, tenant: String) async throws(RegistrationError) -> Bool {
        let methods = try await store.methods(upn: upn, tenant: tenant)
        let rule = try await configuration(tenant).access
        return ManageSession.needsMFA(methods: methods, rule: rule) || ManageSession.needsPass(methods: methods, rule: rule)
    }

    /// The tenant's policies.
    public func configuration(_ tenant: String) async throws(RegistrationError) -> TenantConfiguration {
        if let configuration = configurations[tenant] { return configuration }
        guard let configuration = try await store.configuration(tenant: tenant) else { throw .tenantNotFound(tenant) }
        return configuration
    }

    /// A single-use challenge for proving MFA with a FIDO2 key (an assertion over it).
    public func mfaChallenge(upn: String, tenant: String) async throws(RegistrationError) -> [UInt8] {
        let challenge = RandomBytes.make(32)
        try await store.saveChallenge(
            challenge, upn: upn, tenant: tenant, expires: Date().addingTimeInterval(try await configuration(tenant).challengeLifetime),
            ceremony: nil)
        return challenge
    }

    /// What a client needs to sign in with one of the user's keys to prove MFA: a fresh
    /// single-use challenge, the relying party and origin, and the user's credential ids (as a
    /// relying party gives them after the user name, so the key can find its credential).
    public func fido2SignInOptions(upn: String, tenant: String) async throws(RegistrationError) -> FIDO2SignInOptions {
        let configuration = try await configuration(tenant)
        guard try await store.user(upn: upn)?.isMember(of: tenant) == true else { throw .userNotFound(upn) }
        let keys = try await store.methods(upn: upn, tenant: tenant).compactMap(\.fido2?.credentialID)
        guard !keys.isEmpty else { throw .methodNotFound("a security key of \(upn) in \(tenant)") }
        return FIDO2SignInOptions(
            challenge: try await mfaChallenge(upn: upn, tenant: tenant), relyingPartyID: configuration.relyingParty.id,
            origin: configuration.origin, allowCredentials: keys,
            userVerification: configuration.methods.fido2.requireUserVerification)
    }

    /// Records an audited action (failures to audit are reported, never swallowed silently).
    func audit(
        _ action: String, tenant: String, upn: String, mode: AuditEvent.Mode, client: ClientContext,
        error: RegistrationError? = nil, actor: AuditEvent.Actor = .user, reason: String? = nil
    ) async throws(RegistrationError) {
        try await store.append(auditEvent(action, tenant: tenant, upn: upn, mode: mode, client: client, error: error, actor: actor, reason: reason))
    }

    /// The audit entry for an action (not yet written).
    func auditEvent(
        _ action: String, tenant: String, upn: String, mode: AuditEvent.Mode, client: ClientContext,
        error: RegistrationError? = nil, actor: AuditEvent.Actor = .user, reason: String? = nil
    ) -> AuditEvent {
        AuditEvent(
            time: Date(), tenant: tenant, upn: upn, actor: actor, mode: mode, client: client.description,
            action: action, outcome: error == nil ? .success : .failure, reason: error.map { $0.code + (reason.map { ": " + $0 } ?? "") } ?? reason)
    }
}

enum RandomBytes {
    static func make(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
