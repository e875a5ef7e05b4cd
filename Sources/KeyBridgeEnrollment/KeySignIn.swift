import KeyBridgeFIDO
import KeyBridgeRegistration

/// Proving MFA with one of the user's registered keys: an assertion over a fresh single-use
/// challenge from the directory, handed to ``ManageSession/open(_:upn:tenant:client:proof:)``.
public enum KeySignIn {
    /// Signs in on `key` for `upn` in `tenant` and returns the proof. `pin` is needed when the
    /// policy requires user verification (or the key asks for it).
    public static func proof(
        key: SecurityKey, service: RegistrationService, upn: String, tenant: String, pin: String?,
        timeout: Duration = .seconds(30), onTouchNeeded: (@Sendable () -> Void)? = nil
    ) async throws -> MFAProof {
        try await proof(
            key: key, options: try await service.fido2SignInOptions(upn: upn, tenant: tenant), pin: pin, timeout: timeout,
            onTouchNeeded: onTouchNeeded)
    }

    /// Signs in on `key` over request options a directory issued (a local one, or a server's
    /// `/auth/signIn/fido2Options`) and returns the proof.
    public static func proof(
        key: SecurityKey, options: FIDO2SignInOptions, pin: String?, timeout: Duration = .seconds(30),
        onTouchNeeded: (@Sendable () -> Void)? = nil
    ) async throws -> MFAProof {
        var request = GetAssertionRequest(
            relyingPartyID: options.relyingPartyID, clientData: .challenge(options.challenge, origin: options.origin))
        request.allowCredentials = options.allowCredentials
        request.userVerification = options.userVerification
        request.pin = pin
        request.timeout = timeout
        let assertions = try await key.getAssertion(request, onTouchNeeded: onTouchNeeded)
        guard let assertion = assertions.first else { throw KeyBridgeError.noCredentials }
        return .fido2Assertion(assertion)
    }
}
