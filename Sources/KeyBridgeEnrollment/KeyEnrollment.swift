import Foundation
import KeyBridgeFIDO
import KeyBridgeRegistration

/// Registers a security key to a user, as one transaction across the key and a directory — a
/// local manage session or a remote server (``EnrollmentDirectory``): the directory's creation
/// options, the PIN (set when the key has none), make-credential, verification and storage by the
/// directory, then a forced PIN change.
///
/// Nothing is left half-done. Until the directory has stored the key, any failure or
/// cancellation deletes the credential from the key again (a discoverable one; a
/// non-discoverable credential leaves nothing on the key). Storing is the commit point: after
/// it, the short finishing step runs to its end even when cancelled, and if it fails the method is
/// removed from the directory and the credential from the key.
public struct KeyEnrollment: Sendable {
    /// Issues the options, verifies and stores the key, and removes it again if finishing fails.
    public let directory: any EnrollmentDirectory
    public let key: SecurityKey
    /// Bounds the touch wait; every other key call has its own short timeout.
    public var timeout: Duration
    /// How long an undo may take (deleting a credential, removing a method).
    public var rollbackTimeout: Duration = .seconds(10)

    public init(directory: any EnrollmentDirectory, key: SecurityKey, timeout: Duration = .seconds(30)) {
        self.directory = directory
        self.key = key
        self.timeout = timeout
    }

    /// An enrollment into a local directory through a manage session.
    public init(session: ManageSession, key: SecurityKey, timeout: Duration = .seconds(30)) {
        self.init(directory: session, key: key, timeout: timeout)
    }

    /// Runs the enrollment; `progress` hears each step as it starts.
    public func enroll(
        pin plan: PINPlan, friendlyName: String? = nil, progress: @escaping @Sendable (EnrollmentStep) -> Void = { _ in }
    ) async throws(EnrollmentFailure) -> EnrolledKey {
        var pinWasSet = false
        func fail(_ cause: EnrollmentFailure.Cause, _ rollback: EnrollmentFailure.Rollback = .nothingCreated) -> EnrollmentFailure {
            EnrollmentFailure(cause: cause, rollback: rollback, pinWasSet: pinWasSet)
        }

        // 1. Options from the directory, the key's state, its PIN.
        let options: FIDO2CreationOptions
        let info: DeviceInfo
        var minimumSet: Int?
        do {
            options = try await directory.beginKeyRegistration()
        } catch {
            throw fail(Self.directoryCause(error))
        }
        do throws(KeyBridgeError) {
            info = try await key.info()
            switch plan {
            case .existing:
                guard info.hasPIN else { throw KeyBridgeError.pinNotSet }
            case .new(let pin, let minimumLength, _):
                guard !info.hasPIN else {
                    throw KeyBridgeError.invalidArgument("the key already has a PIN: use it, or reset the key first")
                }
                try PINPolicy.validateFormat(pin, minimumLength: max(minimumLength ?? 4, info.minPINLength))
                if let minimumLength, Self.supportsMinimumPINLength(info), minimumLength > info.minPINLength {
                    try Self.checkCancellation()
                    progress(.settingMinimumPINLength)
                    try await key.setMinimumPINLength(minimumLength, pin: nil)
                    minimumSet = minimumLength
                }
                try Self.checkCancellation()
                progress(.settingPIN)
                try await key.setPIN(pin)
                pinWasSet = true
            }
            try Self.checkCancellation()
        } catch {
            throw fail(Self.cause(error))
        }

        // 2. The credential.
        var request = MakeCredentialRequest(
            relyingParty: options.relyingParty,
            user: UserEntity(id: options.userHandle, name: options.userName, displayName: options.userDisplayName),
            clientData: .challenge(options.challenge, origin: options.origin))
        request.excludeCredentials = options.excludeCredentials
        request.residentKey = options.residentKey
        request.userVerification = options.userVerification
        request.pin = plan.pin
        request.timeout = timeout
        let response: RegistrationResponseJSON
        do {
            response = try await key.makeCredential(request, onTouchNeeded: { progress(.touchKey) })
        } catch {
            throw fail(Self.cause(error))
        }

        // 3. Verification and storage by the directory; the commit point.
        let method: RegisteredMethod
        do {
            try Self.checkCancellation()
            progress(.verifying)
            method = try await directory.completeKeyRegistration(response, friendlyName: friendlyName)
        } catch {
            throw fail(Self.directoryCause(error), await undoCredential(response, resident: options.residentKey, pin: plan.pin))
        }

        // 4. Finishing: shielded from cancellation, undone as a whole if it fails.
        var forced = false
        if case .new(_, _, true) = plan, Self.supportsMinimumPINLength(info) {
            progress(.forcingPINChange)
            let key = self.key
            if let error = await Self.shielded({ () async throws(KeyBridgeError) in try await key.forcePINChange(pin: plan.pin) }) {
                let directory = self.directory
                let methodID = method.id
                _ = await Task.detached { try? await directory.removeKey(methodID: methodID) }.value
                throw fail(.key(error), await undoCredential(response, resident: options.residentKey, pin: plan.pin))
            }
            forced = true
        }
        return EnrolledKey(
            method: method, response: response, pinWasSet: pinWasSet, pinChangeForced: forced, minimumPINLengthSet: minimumSet)
    }

    /// Deletes the new credential from the key (outside any cancelled task, bounded in time).
    private func undoCredential(_ response: RegistrationResponseJSON, resident: Bool, pin: String) async
        -> EnrollmentFailure.Rollback
    {
        guard resident else { return .nothingStoredOnKey }
        guard let id = Base64URL.decode(response.id) else {
            return .credentialLeftOnKey(credentialID: response.id, reason: "the credential id is not base64url")
        }
        let key = self.key
        let timeout = rollbackTimeout
        let failure = await Self.shielded { () async throws(KeyBridgeError) in
            try await key.deleteCredential(id: id, pin: pin, timeout: timeout)
        }
        guard let failure else { return .credentialDeleted }
        return .credentialLeftOnKey(credentialID: response.id, reason: failure.description)
    }

    /// Runs a key operation in a task of its own, so the caller's cancellation cannot stop it
    /// (undo and finishing steps must run to their end); returns its error, if any.
    private static func shielded(_ operation: @escaping @Sendable () async throws(KeyBridgeError) -> Void) async -> KeyBridgeError? {
        await Task.detached { () -> KeyBridgeError? in
            do throws(KeyBridgeError) {
                try await operation()
                return nil
            } catch {
                return error
            }
        }.value
    }

    /// Whether the key takes authenticatorConfig's setMinPINLength (and so forceChangePin).
    public static func supportsMinimumPINLength(_ info: DeviceInfo) -> Bool {
        info.isEnabled("authnrCfg") && info.isEnabled("setMinPINLength")
    }

    private static func checkCancellation() throws(KeyBridgeError) {
        if Task.isCancelled { throw .cancelled }
    }

    /// A directory's error as a cause: a refusal, an unreachable remote directory, or cancellation.
    private static func directoryCause(_ error: any Error) -> EnrollmentFailure.Cause {
        switch error {
        case let refusal as RegistrationError: .directory(refusal)
        case let remote as RemoteDirectoryError: .remote(remote)
        case let error as KeyBridgeError where error != .cancelled: .key(error)
        default: .cancelled
        }
    }

    private static func cause(_ error: KeyBridgeError) -> EnrollmentFailure.Cause {
        error == .cancelled ? .cancelled : .key(error)
    }
}
