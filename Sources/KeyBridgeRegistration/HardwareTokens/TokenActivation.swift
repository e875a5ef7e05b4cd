import Foundation
import KeyBridgeOATH

extension ManageSession {
    /// Activates an imported hardware token assigned to this user: the serial on its back and
    /// the code it shows now. Users cannot register hardware tokens any other way.
    public func activateHardwareToken(serial: String, code: String, now: Date = Date()) async throws(RegistrationError)
        -> RegisteredMethod
    {
        try await audited("activateHardwareToken") { () async throws(RegistrationError) -> RegisteredMethod in
            guard configuration.methods.allows(.hardwareToken, for: user) else { throw .methodDisabled(.hardwareToken) }
            guard let token = try await service.store.token(serial: serial, tenant: tenant), token.upn == user.upn,
                token.activatedMethodID == nil
            else { throw .methodNotFound("hardware token \(serial)") }
            let limiterKey = "\(tenant)/\(user.upn)/token"
            try await service.codeAttempts.claim(limiterKey)
            let secret = try service.sealer.open(token.sealedSecret)
            guard let match = OTPVerifier(window: 1).verifyTOTP(code, secret: secret, time: now, period: token.interval) else {
                throw .mfaProofRejected("the code does not match token \(serial)")
            }
            try await service.codeAttempts.reset(limiterKey)
            let method = try await service.store.addMethod(
                MethodDraft(kind: .hardwareToken, displayValue: "\(token.manufacturer) \(token.model) \(serial)"),
                upn: user.upn, tenant: tenant, sealedSecret: token.sealedSecret)
            _ = try await service.store.advanceOTPStep(methodID: method.id, to: match.counter)
            try await service.store.assignToken(serial: serial, tenant: tenant, methodID: method.id)
            return method
        }
    }
}
