import KeyBridgeFIDO
import KeyBridgeRegistration

/// How the key's PIN is handled during an enrollment.
public enum PINPlan: Sendable {
    /// The key already has a PIN and its holder typed it.
    case existing(String)
    /// The key has no PIN: raise its minimum PIN length (when it supports authenticatorConfig and
    /// `minimumLength` is given), set `pin`, and — once the key is registered — force a change
    /// at first use when `forceChangeAfterwards` (a PIN the holder did not choose).
    case new(String, minimumLength: Int?, forceChangeAfterwards: Bool)

    var pin: String {
        switch self {
        case .existing(let pin), .new(let pin, _, _): pin
        }
    }
}

/// A step of an enrollment, reported as it starts (for prompts and progress).
public enum EnrollmentStep: String, Sendable {
    case settingMinimumPINLength
    case settingPIN
    /// The key waits for a touch (or a tap on the reader): show "Touch your security key".
    case touchKey
    case verifying
    case forcingPINChange
}

/// A key that was registered: the stored method and what the key produced.
public struct EnrolledKey: Sendable {
    public var method: RegisteredMethod
    public var response: RegistrationResponseJSON
    /// Whether this enrollment set the key's PIN.
    public var pinWasSet: Bool
    /// Whether the key will demand a new PIN at first use.
    public var pinChangeForced: Bool
    /// Whether the key's minimum PIN length was raised.
    public var minimumPINLengthSet: Int?
}

/// Why an enrollment stopped, and what was undone so that nothing is left half-done.
public struct EnrollmentFailure: Error, Sendable {
    public enum Cause: Sendable, Equatable {
        /// The key failed or refused (pulled out, timeout, wrong PIN …).
        case key(KeyBridgeError)
        /// The directory refused the registration or could not store it.
        case directory(RegistrationError)
        /// A remote directory could not be reached or failed (it refused nothing).
        case remote(RemoteDirectoryError)
        /// Ctrl-C or the task was cancelled.
        case cancelled
    }

    /// What happened to the credential the key made.
    public enum Rollback: Sendable, Equatable {
        /// The key made no credential.
        case nothingCreated
        /// A non-discoverable credential: the key stores nothing, so nothing is left on it.
        case nothingStoredOnKey
        /// The discoverable credential was deleted from the key again.
        case credentialDeleted
        /// The credential could not be deleted (the key was gone); `credentialID` is base64url.
        case credentialLeftOnKey(credentialID: String, reason: String)
    }

    public var cause: Cause
    public var rollback: Rollback
    /// Whether this enrollment had already set the key's PIN (a PIN cannot be unset without a reset).
    public var pinWasSet: Bool

    public init(cause: Cause, rollback: Rollback, pinWasSet: Bool) {
        self.cause = cause
        self.rollback = rollback
        self.pinWasSet = pinWasSet
    }
}
