/// Every failure keybridge reports about a security key, with a stable name.
///
/// The ``code`` of each case is part of the `--json` contract and never changes; the
/// ``description`` says what went wrong and what the user can do about it.
public enum KeyBridgeError: Error, Sendable, Equatable {
    /// The PIN was wrong; the key has `retriesLeft` tries before it blocks (nil if unknown).
    case pinInvalid(retriesLeft: Int?)
    /// Three wrong PINs in a row: the key refuses PINs until it is removed and re-inserted.
    case pinAuthBlocked
    /// The PIN retry counter reached zero: only a reset (which erases all credentials) helps.
    case pinBlocked
    /// The operation needs the key's PIN and none was given.
    case pinRequired
    /// The operation needs a PIN but the key has none set.
    case pinNotSet
    /// The new PIN breaks the key's PIN policy (length, or a forced change is pending).
    case pinPolicyViolation(String)
    /// The user refused presence, or the key refused the operation.
    case operationDenied
    /// Nobody touched the key before the timeout; the operation was cancelled on the key.
    case userActionTimeout
    /// The key holds no credential that matches.
    case noCredentials
    /// One of the credentials in the exclude list is already on this key.
    case credentialExcluded
    /// The key has no room for another discoverable credential.
    case keyStoreFull
    /// The key does not support what was asked (an algorithm, an option or an extension).
    case unsupported(String)
    /// Built-in user verification is blocked on the key.
    case uvBlocked
    /// Built-in user verification failed.
    case uvInvalid
    /// The request was malformed: the text names the offending input.
    case invalidArgument(String)
    /// No key matched the given id, or no key is connected.
    case deviceNotFound(String)
    /// Several keys are connected and none was chosen.
    case ambiguousDevice([String])
    /// The operation was cancelled by the caller (Ctrl-C or task cancellation).
    case cancelled
    /// The key is not allowed to do this now (for example a reset long after power-up).
    case notAllowed
    /// The link to the key failed: I/O error, garbage, timeout or a device that went away.
    case transport(String)
    /// The key answered with a CTAP status keybridge has no dedicated case for.
    case ctap(status: Int)
    /// A signature or attestation did not verify.
    case verificationFailed(String)

    /// The stable machine-readable name of the error.
    public var code: String {
        switch self {
        case .pinInvalid: "pinInvalid"
        case .pinAuthBlocked: "pinAuthBlocked"
        case .pinBlocked: "pinBlocked"
        case .pinRequired: "pinRequired"
        case .pinNotSet: "pinNotSet"
        case .pinPolicyViolation: "pinPolicyViolation"
        case .operationDenied: "operationDenied"
        case .userActionTimeout: "userActionTimeout"
        case .noCredentials: "noCredentials"
        case .credentialExcluded: "credentialExcluded"
        case .keyStoreFull: "keyStoreFull"
        case .unsupported: "unsupported"
        case .uvBlocked: "uvBlocked"
        case .uvInvalid: "uvInvalid"
        case .invalidArgument: "invalidArgument"
        case .deviceNotFound: "deviceNotFound"
        case .ambiguousDevice: "ambiguousDevice"
        case .cancelled: "cancelled"
        case .notAllowed: "notAllowed"
        case .transport: "transport"
        case .ctap: "ctap"
        case .verificationFailed: "verificationFailed"
        }
    }

    /// The process exit status the CLI uses for this error (documented in the README).
    public var exitCode: Int32 {
        switch self {
        case .invalidArgument: 2
        case .deviceNotFound, .ambiguousDevice: 3
        case .pinInvalid, .pinAuthBlocked, .pinBlocked, .pinRequired, .pinNotSet, .pinPolicyViolation,
            .uvBlocked, .uvInvalid:
            4
        case .operationDenied, .userActionTimeout: 5
        case .noCredentials, .credentialExcluded, .keyStoreFull: 6
        case .transport: 7
        case .unsupported, .notAllowed: 8
        case .verificationFailed: 9
        case .ctap: 10
        case .cancelled: 130
        }
    }
}

extension KeyBridgeError: CustomStringConvertible {
    /// What went wrong and what to do next, in one or two sentences.
    public var description: String {
        switch self {
        case .pinInvalid(let left?):
            "Wrong PIN; \(left) \(left == 1 ? "try" : "tries") left before the key blocks its PIN."
        case .pinInvalid(nil): "Wrong PIN. Check it and try again."
        case .pinAuthBlocked:
            "Three wrong PINs in a row: remove and re-insert the key (or tap it again) before the next try."
        case .pinBlocked: "The PIN is blocked. Only `keybridge fido reset` (which erases every credential) helps."
        case .pinRequired: "This key needs its PIN for that: pass --pin-file, set KEYBRIDGE_PIN, or type it when asked."
        case .pinNotSet: "The key has no PIN yet: set one with `keybridge fido pin set`."
        case .pinPolicyViolation(let detail): "The PIN breaks the key's PIN policy: \(detail)"
        case .operationDenied: "The key refused: presence was denied or the operation is not permitted."
        case .userActionTimeout: "Nobody touched the key in time; the operation was cancelled. Touch the key when asked."
        case .noCredentials: "The key holds no matching credential for this relying party."
        case .credentialExcluded: "This key is already registered (its credential is in the exclude list)."
        case .keyStoreFull: "The key has no room for another discoverable credential: delete one first."
        case .unsupported(let what): "The key does not support \(what)."
        case .uvBlocked: "Built-in user verification is blocked; use the PIN instead."
        case .uvInvalid: "User verification failed; try again."
        case .invalidArgument(let what): "Invalid input: \(what)"
        case .deviceNotFound(let id):
            id.isEmpty
                ? "No security key found. Insert or tap a key, or start a virtual key with `keybridge vkey serve`."
                : "No security key with id \(id). List keys with `keybridge devices`."
        case .ambiguousDevice(let ids):
            "Several keys are connected (\(ids.joined(separator: ", "))); choose one with --device."
        case .cancelled: "Cancelled."
        case .notAllowed: "The key does not allow this now (a reset must come soon after inserting the key)."
        case .transport(let detail): "Lost contact with the key: \(detail). Re-insert the key and try again."
        case .ctap(let status): "The key returned CTAP status 0x\(String(status, radix: 16, uppercase: true))."
        case .verificationFailed(let detail): "Verification failed: \(detail)"
        }
    }
}
