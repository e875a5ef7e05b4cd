import Foundation
import KeyBridgeOATH

extension ManageSession {
    /// Activates an imported hardware token assigned to this user: the serial on its back and
    /// the code it shows now. Users cannot register hardware tokens any other way.
    public func activateHardwareToken(serial: String, code: String, now: Date = Date()) throws(RegistrationError)
        -> RegisteredMethod
    {
        try audited("activateHardwareToken") { () throws(RegistrationError) -> RegisteredMethod in
            guard configuration.methods.allows(.hardwareToken, for: user) else { throw .methodDisabled(.hardwareToken) }
            guard let token = try service.store.token(serial: serial, tenant: tenant), token.upn == user.upn,
                token.activatedMethodID == nil
            else { throw .methodNotFound("hardware token \(serial)") }
            let limiterKey = "\(tenant)/\(user.upn)/token"
            try service.codeAttempts.check(limiterKey)
            let secret = try service.sealer.open(token.sealedSecret)
            guard let match = OTPVerifier(window: 1).verifyTOTP(code, secret: secret, time: now, period: token.interval) else {
                try service.codeAttempts.recordFailure(limiterKey)
                throw .mfaProofRejected("the code does not match token \(serial)")
            }
            try service.codeAttempts.reset(limiterKey)
            let method = try service.store.addMethod(
                MethodDraft(kind: .hardwareToken, displayValue: "\(token.manufacturer) \(token.model) \(serial)"),
                upn: user.upn, tenant: tenant, sealedSecret: token.sealedSecret)
            try service.store.setOTPStep(methodID: method.id, step: match.counter)
            try service.store.assignToken(serial: serial, tenant: tenant, methodID: method.id)
            return method
        }
    }
}
