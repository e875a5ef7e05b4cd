import Foundation

/// What interrupt mode (registration at sign-in) does for a user.
public struct InterruptDecision: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable {
        /// Nothing to do: the user signs in.
        case none
        /// Registration is required (MFA registration is enforced).
        case register
        /// Registration is asked for but may be skipped, indefinitely (only SSPR enforces it).
        case registerSkippable
        /// The re-confirm interval passed: show every method to confirm or change.
        case review
    }

    public var action: Action
    /// The minimum set of new methods shown by default, most to least secure.
    public var shownMethods: [MethodKind]
    /// "I want to set up a different method": other kinds the policy allows.
    public var alternatives: [MethodKind]
    /// For `.review`: every registered method.
    public var reviewMethods: [RegisteredMethod]
}

/// Decides interrupt mode from the enforcement, the policies and what the user already has.
public enum InterruptPlanner {
    /// - Parameters:
    ///   - resourceRequiresMFA: for users enforced through conditional access, whether the
    ///     resource being opened requires MFA (only then are they asked to register).
    ///   - lastReviewed: when the user last confirmed their security info.
    public static func decide(
        user: DirectoryUser, configuration: TenantConfiguration, existing: [RegisteredMethod],
        resourceRequiresMFA: Bool = false, lastReviewed: Date? = nil, now: Date = Date()
    ) -> InterruptDecision {
        let sspr = configuration.sspr
        let mfaEnforced: Bool = switch user.mfaEnforcement {
        case .identityProtection, .perUserMFA: true
        case .conditionalAccess: resourceRequiresMFA
        case .none: false
        }
        let ssprEnforced = sspr.applies(to: user) && sspr.requireRegistrationAtSignIn
        let offerable = MethodKind.allCases.filter { kind in
            configuration.methods.allows(kind, for: user) && kind.userCanRegister && !kind.manageModeOnly
                && kind != .appPassword && (kind != .officePhone || user.businessPhone != nil)
        }.sorted { $0.securityRank > $1.securityRank }

        let kinds = existing.map(\.kind)
        let needsMFA = mfaEnforced && !kinds.contains(where: \.servesMFA)
        let ssprHave = ssprEnforced ? kinds.filter { sspr.allowedMethods.contains($0) }.count : 0
        var ssprMissing = ssprEnforced ? max(0, sspr.methodsRequired - ssprHave) : 0

        var shown: [MethodKind] = []
        if needsMFA {
            // The first method must serve MFA; prefer one that also counts for SSPR.
            let candidates = offerable.filter(\.servesMFA)
            if let first = candidates.first(where: { !ssprEnforced || sspr.allowedMethods.contains($0) }) ?? candidates.first {
                shown.append(first)
                if ssprEnforced && sspr.allowedMethods.contains(first) { ssprMissing = max(0, ssprMissing - 1) }
            }
        }
        for kind in offerable where ssprMissing > 0 && sspr.allowedMethods.contains(kind) && !shown.contains(kind)
            && !kinds.contains(kind)
        {
            shown.append(kind)
            ssprMissing -= 1
        }
        let purposes: (MethodKind) -> Bool = { kind in
            (needsMFA && kind.servesMFA) || (ssprEnforced && sspr.allowedMethods.contains(kind))
        }
        let alternatives = offerable.filter { purposes($0) && !shown.contains($0) && !kinds.contains($0) }

        if !shown.isEmpty {
            return InterruptDecision(
                action: mfaEnforced ? .register : .registerSkippable, shownMethods: shown, alternatives: alternatives,
                reviewMethods: [])
        }
        if sspr.applies(to: user), sspr.reconfirmDays > 0, !existing.isEmpty {
            let due = (lastReviewed ?? .distantPast).addingTimeInterval(Double(sspr.reconfirmDays) * 86_400)
            if due <= now {
                return InterruptDecision(action: .review, shownMethods: [], alternatives: [], reviewMethods: existing)
            }
        }
        return InterruptDecision(action: .none, shownMethods: [], alternatives: [], reviewMethods: [])
    }
}
