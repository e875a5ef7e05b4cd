import Foundation
import KeyBridgeOATH

/// An authenticator app being set up: the secret is generated here and its otpauth URI shown
/// once (as a QR code or text); the app is added only when the user proves a current code.
public struct PendingAuthenticatorApp: Sendable {
    public var kind: MethodKind { draftKind.methodKind }
    let draftKind: MethodDraft.Kind
    public let label: String
    /// The otpauth:// URI to show once.
    public let otpauthURI: String
    /// The policy's passwordless mode: the user must also enable passwordless sign-in in the app.
    public let requiresPasswordlessSignInInApp: Bool
    let secret: [UInt8]
}

extension ManageSession {
    /// Generates a TOTP secret (20 random bytes, SHA-1, 6 digits, 30 s) for a new app.
    public func beginAuthenticatorApp(kind: MethodKind = .otherAuthenticatorApp, label: String) async throws(RegistrationError)
        -> PendingAuthenticatorApp
    {
        guard kind == .otherAuthenticatorApp || kind == .authenticatorApp, let draftKind = MethodDraft.Kind(kind) else {
            throw .cannotRegister(kind)
        }
        guard configuration.methods.allows(kind, for: user) else { throw .methodDisabled(kind) }
        let secret = RandomBytes.make(20)
        let uri = OTPAuthURI(kind: .totp, issuer: configuration.relyingParty.name ?? tenant, account: user.upn, secret: secret)
        return PendingAuthenticatorApp(
            draftKind: draftKind, label: label, otpauthURI: uri.uriString,
            requiresPasswordlessSignInInApp: kind == .authenticatorApp && configuration.methods.authenticatorPasswordless,
            secret: secret)
    }

    /// Adds the app if `code` is the app's current code (±1 step); the secret is stored sealed.
    public func completeAuthenticatorApp(_ pending: PendingAuthenticatorApp, code: String, now: Date = Date())
        async throws(RegistrationError) -> RegisteredMethod
    {
        try await audited("register") { () async throws(RegistrationError) -> RegisteredMethod in
            guard let match = OTPVerifier(window: 1).verifyTOTP(code, secret: pending.secret, time: now) else {
                throw .mfaProofRejected("the code does not match the new app; check the device clock and try again")
            }
            let method = try await service.store.addMethod(
                MethodDraft(kind: pending.draftKind, displayValue: pending.label), upn: user.upn, tenant: tenant,
                sealedSecret: try service.sealer.seal(pending.secret))
            _ = try await service.store.advanceOTPStep(methodID: method.id, to: match.counter)
            return method
        }
    }

    /// Checks a one-time code from one of the user's OTP methods — `methodID`, or any of them when
    /// nil — rate-limited (one wrong code counts once) and never accepted twice.
    func verifyOneTimeCode(methodID: String?, code: String, methods: [RegisteredMethod], now: Date = Date())
        async throws(RegistrationError)
    {
        let limiterKey = "\(tenant)/\(user.upn)"
        try await service.codeAttempts.claim(limiterKey)
        let candidates = methods.filter { method in
            [.authenticatorApp, .otherAuthenticatorApp, .hardwareToken].contains(method.kind) && (methodID == nil || method.id == methodID)
        }
        guard !candidates.isEmpty else { throw .mfaProofRejected("that method has no codes") }
        let tokens = try await service.store.tokens(tenant: tenant)
        for method in candidates {
            guard let state = try await service.store.otpState(methodID: method.id) else { continue }
            let secret = try service.sealer.open(state.sealedSecret)
            // Hardware tokens keep their own time step (30 or 60 s) in the inventory.
            let period = tokens.first { $0.activatedMethodID == method.id }?.interval ?? 30
            if let match = OTPVerifier(window: 1).verifyTOTP(
                code, secret: secret, time: now, period: period, lastUsedStep: state.lastStep)
            {
                // Two servers may accept the same code at once: the store lets only one advance the step.
                guard try await service.store.advanceOTPStep(methodID: method.id, to: match.counter) else { break }
                try await service.codeAttempts.reset(limiterKey)
                return
            }
        }
        throw .mfaProofRejected("the code is wrong or was already used")
    }
}
