import Crypto
import Foundation

extension ManageSession {
    /// Creates an app password for users enforced through per-user MFA. The password is returned
    /// once; only a salted SHA-256 of it is stored (it is random, 16 letters ≈ 75 bits).
    public func createAppPassword(name: String) async throws(RegistrationError) -> (method: RegisteredMethod, password: String) {
        try await audited("register") { () async throws(RegistrationError) -> (method: RegisteredMethod, password: String) in
            guard configuration.methods.allows(.appPassword, for: user) else { throw .methodDisabled(.appPassword) }
            guard user.mfaEnforcement == .perUserMFA else { throw .methodDisabled(.appPassword) }
            let letters = Array("abcdefghijklmnopqrstuvwxyz")
            var generator = SystemRandomNumberGenerator()
            let password = String((0..<16).map { _ in letters[Int.random(in: 0..<26, using: &generator)] })
            let salt = RandomBytes.make(16)
            let digest = salt + Array(SHA256.hash(data: salt + Array(password.utf8)))
            let method = try await service.store.addMethod(
                MethodDraft(kind: .appPassword, displayValue: name), upn: user.upn, tenant: tenant,
                sealedSecret: try service.sealer.seal(digest))
            return (method, password)
        }
    }

    /// Whether `password` is the app password of method `id`.
    public func checkAppPassword(id: String, password: String) async throws(RegistrationError) -> Bool {
        guard let state = try await service.store.otpState(methodID: id) else { throw .methodNotFound(id) }
        let digest = try service.sealer.open(state.sealedSecret)
        let salt = Array(digest.prefix(16))
        let expected = Array(digest.dropFirst(16))
        let candidate = Array(SHA256.hash(data: salt + Array(password.utf8)))
        return ConstantTime.equal(candidate, expected)
    }
}
