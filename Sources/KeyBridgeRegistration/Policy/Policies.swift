import Foundation

/// Who a method or policy applies to.
public struct PolicyTarget: Codable, Sendable, Hashable {
    /// Everyone, or only members of `groups`.
    public var allUsers: Bool
    public var groups: [String]
    /// Groups excluded even when included above.
    public var excludedGroups: [String]

    public init(allUsers: Bool = true, groups: [String] = [], excludedGroups: [String] = []) {
        self.allUsers = allUsers
        self.groups = groups
        self.excludedGroups = excludedGroups
    }

    public func includes(_ user: DirectoryUser) -> Bool {
        if user.groups.contains(where: excludedGroups.contains) { return false }
        return allUsers || user.groups.contains(where: groups.contains)
    }
}

/// FIDO2 settings of the authentication-methods policy.
public struct FIDO2Settings: Codable, Sendable, Hashable {
    public var selfServiceSetup = true
    /// Refuse `none` (and unverifiable) attestation.
    public var enforceAttestation = false
    /// Key restrictions by AAGUID: an allow list (only these) or a block list (all but these).
    public enum Restriction: Codable, Sendable, Hashable {
        case none
        case allow([String])
        case block([String])
    }
    public var restriction = Restriction.none
    /// DER trust anchors for packed attestation chains.
    public var trustAnchorsDER: [[UInt8]] = []
    public var requireResidentKey = false
    public var requireUserVerification = false
    /// Attestation trust from the FIDO metadata: a packed attestation whose x5c chains to one of
    /// the metadata entry's `attestationRootCertificates` for its AAGUID is trusted (the admin's
    /// `trustAnchors` still work beside it).
    public var trustMetadata = false
    /// The lowest certification level a key model must have in the metadata (`FIDO_CERTIFIED_L1`,
    /// …); nil: no minimum. A key whose AAGUID the metadata does not know is refused when set.
    public var minimumCertificationLevel: String?
    /// Refuse keys whose latest metadata status report is a compromise or revocation (on by default;
    /// it only acts on AAGUIDs the imported metadata knows).
    public var refuseCompromisedKeys = true

    public init() {}
}

/// The authentication-methods policy of a tenant.
public struct AuthenticationMethodsPolicy: Codable, Sendable, Hashable {
    /// Enabled kinds and who they apply to; a kind not listed is disabled.
    public var enabled: [MethodKind: PolicyTarget]
    public var fido2 = FIDO2Settings()
    /// Voice calls (needed for alternate phone).
    public var voiceCallsEnabled = true
    /// Temporary Access Pass lifetime and one-time use.
    public var temporaryAccessPassLifetime: TimeInterval = 3600
    public var temporaryAccessPassOneTime = true
    /// Microsoft Authenticator in passwordless mode: users must also turn on passwordless sign-in
    /// in the app when they set it up.
    public var authenticatorPasswordless = false
    /// Number prefixes of virtual (VoIP) phone ranges, which voice calls and SMS do not support.
    public var virtualNumberPrefixes: [String] = []

    public init(enabled: [MethodKind: PolicyTarget]) {
        self.enabled = enabled
    }

    /// Whether `kind` may be used by `user` under this policy.
    public func allows(_ kind: MethodKind, for user: DirectoryUser) -> Bool {
        guard let target = enabled[kind], target.includes(user) else { return false }
        if kind == .alternatePhone && !voiceCallsEnabled { return false }
        return true
    }
}

/// The self-service password reset policy.
public struct SSPRPolicy: Codable, Sendable, Hashable {
    public enum Scope: Codable, Sendable, Hashable {
        case off
        case all
        case group(String)
    }
    public var scope: Scope
    /// 1 or 2 methods required to reset.
    public var methodsRequired: Int
    /// Which methods count for SSPR.
    public var allowedMethods: Set<MethodKind>
    public var requireRegistrationAtSignIn: Bool
    /// Days between re-confirmations, 0–730 (0 = never).
    public var reconfirmDays: Int

    public init(
        scope: Scope, methodsRequired: Int = 1, allowedMethods: Set<MethodKind>, requireRegistrationAtSignIn: Bool = true,
        reconfirmDays: Int = 180
    ) {
        self.scope = scope
        self.methodsRequired = min(2, max(1, methodsRequired))
        self.allowedMethods = allowedMethods
        self.requireRegistrationAtSignIn = requireRegistrationAtSignIn
        self.reconfirmDays = min(730, max(0, reconfirmDays))
    }

    public func applies(to user: DirectoryUser) -> Bool {
        switch scope {
        case .off: false
        case .all: true
        case .group(let group): user.groups.contains(group)
        }
    }
}

/// The conditional-access rule for the "register security info" user action.
public struct RegistrationAccessRule: Codable, Sendable, Hashable {
    /// Allowed networks as CIDR ranges (empty = any network).
    public var allowedNetworks: [String]
    /// Named trusted devices (e.g. HR kiosks) that may register from anywhere.
    public var trustedDevices: [String]
    /// Whether MFA is always required for the action.
    public var requireMFA: Bool
    /// Whether a user with no MFA-capable method may open their security info with no proof at
    /// all. keybridge has no password factor, so by default (`false`) such a user needs a
    /// Temporary Access Pass: otherwise anyone who knows a user name could register the first key
    /// or phone for that user. An admin may turn it on (e.g. behind a staffed kiosk); `policy
    /// show` and `doctor` warn while it is on.
    public var allowFirstRegistrationWithoutProof: Bool

    public init(
        allowedNetworks: [String] = [], trustedDevices: [String] = [], requireMFA: Bool = false,
        allowFirstRegistrationWithoutProof: Bool = false
    ) {
        self.allowedNetworks = allowedNetworks
        self.trustedDevices = trustedDevices
        self.requireMFA = requireMFA
        self.allowFirstRegistrationWithoutProof = allowFirstRegistrationWithoutProof
    }

    /// A warning for `policy show` and `doctor` when the rule lets a first method be registered
    /// with no proof; nil when it does not.
    public var firstRegistrationWarning: String? {
        allowFirstRegistrationWithoutProof
            ? "registrationAccess.allowFirstRegistrationWithoutProof is on: anyone who knows a user name can register "
                + "that user's first method (a key or a phone) with no proof. Turn it off to require a Temporary Access Pass."
            : nil
    }

    /// Whether a request from `address` on `device` is allowed.
    public func allows(address: String, device: String?) -> Bool {
        if let device, trustedDevices.contains(device) { return true }
        if allowedNetworks.isEmpty { return true }
        return allowedNetworks.contains { CIDR($0)?.contains(address) == true }
    }
}

/// An IPv4 CIDR range.
struct CIDR {
    let network: UInt32
    let mask: UInt32

    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]), (0...32).contains(bits), let address = CIDR.parse(String(parts[0]))
        else { return nil }
        mask = bits == 0 ? 0 : UInt32.max << (32 - UInt32(bits))
        network = address & mask
    }

    func contains(_ address: String) -> Bool {
        guard let value = CIDR.parse(address) else { return false }
        return value & mask == network
    }

    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4, text.split(separator: ".").count == 4 else { return nil }
        return octets.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
