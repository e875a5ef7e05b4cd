import Foundation
import KeyBridgeWebAuthn

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

    /// Why `origin` cannot serve relying party `relyingPartyID` (WebAuthn: an https origin whose
    /// host is the RP id or ends with "." + RP id; http only for localhost), or nil when it can.
    public static func originProblem(origin: String, relyingPartyID: String) -> String? {
        guard let url = URL(string: origin), let scheme = url.scheme, let host = url.host, !host.isEmpty else {
            return "origin \"\(origin)\" is not a URL such as https://login.example.com"
        }
        guard scheme == "https" || (scheme == "http" && host == "localhost") else {
            return "origin must use https (http only for localhost)"
        }
        guard url.path.isEmpty || url.path == "/" else { return "origin has no path: use \(scheme)://\(host)" }
        guard !relyingPartyID.isEmpty, host == relyingPartyID || host.hasSuffix("." + relyingPartyID) else {
            return "relying party id \"\(relyingPartyID)\" must be the origin's host \(host) or a suffix of it"
        }
        return nil
    }
}

extension TenantConfiguration {
    /// The policies of a new tenant when no document is given: security keys, authenticator apps,
    /// hardware tokens, phone and e-mail enabled for everyone; SSPR off; any network.
    public static func standard(relyingParty: RelyingParty, origin: String) -> TenantConfiguration {
        var enabled: [MethodKind: PolicyTarget] = [:]
        for kind in [MethodKind.fido2SecurityKey, .authenticatorApp, .otherAuthenticatorApp, .hardwareToken, .phone, .email] {
            enabled[kind] = PolicyTarget()
        }
        return TenantConfiguration(
            methods: AuthenticationMethodsPolicy(enabled: enabled), sspr: SSPRPolicy(scope: .off, allowedMethods: []),
            relyingParty: relyingParty, origin: origin)
    }
}
