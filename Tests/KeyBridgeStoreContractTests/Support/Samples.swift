import Foundation
import KeyBridgeFIDO
@testable import KeyBridgeRegistration

/// Model values for the contract tests.
enum Sample {
    static let contoso = "contoso"
    static let fabrikam = "fabrikam"

    static func user(_ upn: String, home: String = contoso, guest: [String] = []) -> DirectoryUser {
        DirectoryUser(upn: upn, displayName: upn.components(separatedBy: "@")[0], homeTenant: home, guestTenants: guest)
    }

    static func configuration(origin: String = "https://example.com") -> TenantConfiguration {
        var configuration = TenantConfiguration(
            methods: AuthenticationMethodsPolicy(
                enabled: [.fido2SecurityKey: PolicyTarget(), .authenticatorApp: PolicyTarget(), .phone: PolicyTarget()]),
            sspr: SSPRPolicy(scope: .all, allowedMethods: [.phone]),
            relyingParty: RelyingParty(id: "example.com", name: "Example"), origin: origin)
        configuration.challengeLifetime = 300
        // These suites are about the stores, not the gate: a user with no method opens their
        // security info without a pass (the default, a pass, is tested in FirstRegistrationGateTests).
        configuration.access.allowFirstRegistrationWithoutProof = true
        return configuration
    }

    static func event(
        _ action: String = "register", tenant: String = contoso, upn: String = "alice@contoso.com",
        outcome: AuditEvent.Outcome = .success, time: Date = Date(), reason: String? = nil
    ) -> AuditEvent {
        AuditEvent(
            time: time, tenant: tenant, upn: upn, actor: .user, mode: .manage, client: "10.0.0.1", action: action,
            outcome: outcome, reason: reason)
    }

    static func pass(_ id: String = UUID().uuidString, upn: String = "alice@contoso.com", tenant: String = contoso)
        -> StoredAccessPass
    {
        StoredAccessPass(
            id: id, upn: upn, tenant: tenant, salt: [1, 2, 3], hash: [4, 5, 6], expires: Date().addingTimeInterval(3600),
            oneTime: true, used: false, issuedBy: "admin@contoso.com")
    }

    static func token(_ serial: String, tenant: String = contoso, upn: String = "alice@contoso.com") -> HardwareToken {
        HardwareToken(
            tenant: tenant, serial: serial, upn: upn, sealedSecret: [9, 9, 9], interval: 30, manufacturer: "Acme",
            model: "T1", activatedMethodID: nil)
    }

    static func apiToken(_ id: String, tenant: String?, created: Date) -> StoredAPIToken {
        StoredAPIToken(
            id: id, name: "token \(id)", tenant: tenant, scopes: [.read], salt: [1], hash: [2], created: created,
            expires: nil, issuedBy: "admin@contoso.com")
    }

    static func userSession(_ id: String, upn: String = "alice@contoso.com", created: Date, idle: TimeInterval = 900, lifetime: TimeInterval = 28_800)
        -> StoredUserSession
    {
        StoredUserSession(
            id: id, upn: upn, tenant: "contoso", salt: [3, 4], hash: [5, 6, 7], created: created, lastSeen: created, idleTimeout: idle,
            expires: created.addingTimeInterval(lifetime), proof: "temporaryAccessPass", clientAddress: "10.0.0.7", userAgent: "Chromium")
    }

    static func app(_ name: String = "Phone app") -> MethodDraft { MethodDraft(kind: .authenticatorApp, displayValue: name) }
}

/// Methods compared field by field, their times to the millisecond: a store keeps times as
/// seconds since 1970 in a double, and the SQLite store's `addMethod` returns the time before
/// that conversion, which reads back a few ulps away.
func sameMethods(_ left: [RegisteredMethod], _ right: [RegisteredMethod]) -> Bool {
    left.count == right.count
        && zip(left, right).allSatisfy { pair in
            var (a, b) = pair
            guard abs(a.created.timeIntervalSince(b.created)) < 0.001 else { return false }
            a.created = b.created
            return a == b
        }
}
