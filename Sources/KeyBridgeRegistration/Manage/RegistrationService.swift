import Foundation
import KeyBridgeFIDO

/// A tenant's registration settings: its policies and the relying party its keys belong to.
public struct TenantConfiguration: Sendable {
    public var methods: AuthenticationMethodsPolicy
    public var sspr: SSPRPolicy
    public var access: RegistrationAccessRule
    public var relyingParty: RelyingParty
    public var origin: String
    /// How long a FIDO2 creation or MFA challenge stays valid.
    public var challengeLifetime: TimeInterval = 300

    public init(
        methods: AuthenticationMethodsPolicy, sspr: SSPRPolicy, access: RegistrationAccessRule = RegistrationAccessRule(),
        relyingParty: RelyingParty, origin: String
    ) {
        self.methods = methods
        self.sspr = sspr
        self.access = access
        self.relyingParty = relyingParty
        self.origin = origin
    }
}

/// Where a request comes from: a network address and, for kiosks, a named device.
public struct ClientContext: Sendable, Hashable {
    public var address: String
    public var device: String?
    public init(address: String, device: String? = nil) {
        self.address = address
        self.device = device
    }

    var description: String { device.map { "\($0) (\(address))" } ?? address }
}

/// How a user proves MFA to open their security info.
public enum MFAProof: Sendable {
    /// A WebAuthn assertion from one of the user's FIDO2 keys, over a challenge from
    /// ``RegistrationService/mfaChallenge(upn:tenant:)``.
    case fido2Assertion(AuthenticationResponseJSON)
    /// A Temporary Access Pass an admin issued.
    case temporaryAccessPass(String)
    /// A one-time code from one of the user's authenticator apps (or activated hardware tokens).
    case oneTimeCode(methodID: String, code: String)
}

/// The registration module's entry point: tenants' configurations, the store and the audit log.
public final class RegistrationService: Sendable {
    public let store: any RegistrationStore
    private let configurations: [String: TenantConfiguration]
    let sealer: SecretSealer
    let codeAttempts = AttemptLimiter()

    /// - Parameter sealer: encrypts OTP secrets at rest (use ``SecretSealer/init(keyFile:)`` for a file store).
    public init(store: any RegistrationStore, configurations: [String: TenantConfiguration], sealer: SecretSealer = SecretSealer()) {
        self.store = store
        self.configurations = configurations
        self.sealer = sealer
    }

    func configuration(_ tenant: String) throws(RegistrationError) -> TenantConfiguration {
        guard let configuration = configurations[tenant] else { throw .notAMember(tenant: tenant) }
        return configuration
    }

    /// A single-use challenge for proving MFA with a FIDO2 key (an assertion over it).
    public func mfaChallenge(upn: String, tenant: String) throws(RegistrationError) -> [UInt8] {
        let challenge = RandomBytes.make(32)
        try store.saveChallenge(
            challenge, upn: upn, tenant: tenant, expires: Date().addingTimeInterval(try configuration(tenant).challengeLifetime))
        return challenge
    }

    /// Records an audited action (failures to audit are reported, never swallowed silently).
    func audit(
        _ action: String, tenant: String, upn: String, mode: AuditEvent.Mode, client: ClientContext,
        error: RegistrationError? = nil, actor: AuditEvent.Actor = .user, reason: String? = nil
    ) throws(RegistrationError) {
        try store.append(
            AuditEvent(
                time: Date(), tenant: tenant, upn: upn, actor: actor, mode: mode, client: client.description,
                action: action, outcome: error == nil ? .success : .failure, reason: error?.code ?? reason))
    }
}

enum RandomBytes {
    static func make(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
