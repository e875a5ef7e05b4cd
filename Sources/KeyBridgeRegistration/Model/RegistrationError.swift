/// Every refusal of the registration module, with a stable name. A refusal stores nothing.
public enum RegistrationError: Error, Sendable, Equatable {
    case userNotFound(String)
    /// No such tenant, or it has no policies yet.
    case tenantNotFound(String)
    /// A tenant or user with that id already exists.
    case alreadyExists(String)
    /// A policy document (JSON or YAML) that does not parse or holds a value out of range.
    case invalidPolicy(String)
    /// An admin request with a bad value (not a policy document).
    case invalidInput(String)
    case notAMember(tenant: String)
    /// Opening security info needs MFA (or a Temporary Access Pass) first.
    case mfaRequired
    /// The user has no MFA-capable method yet and the policy does not let a first method be
    /// registered without proof: an admin issues a Temporary Access Pass.
    case temporaryAccessPassRequired
    /// The MFA proof (code, assertion or pass) was not accepted.
    case mfaProofRejected(String)
    /// The conditional-access rule refuses this network or device.
    case accessDenied(String)
    case methodDisabled(MethodKind)
    case cannotRegister(MethodKind)
    case cannotChange(MethodKind)
    case limitReached(MethodKind, maximum: Int)
    case fido2SelfServiceDisabled
    case notDefaultCapable(MethodKind)
    case methodNotFound(String)
    case challengeUnknownOrUsed
    case challengeExpired
    case wrongCeremonyType(String)
    case wrongOrigin(expected: String, got: String)
    case wrongRelyingParty
    case userPresenceMissing
    case userVerificationMissing
    case signatureInvalid
    case attestationRequired
    case attestationUntrusted(String)
    /// The FIDO metadata's latest status report for this key model is a compromise or revocation.
    case authenticatorCompromised(String)
    /// The key model's certification level in the FIDO metadata is below the policy's minimum.
    case certificationInsufficient(String)
    case aaguidBlocked(String)
    case aaguidNotAllowed(String)
    case duplicateCredential
    case malformedResponse(String)
    /// Voice calls and SMS do not support virtual phone numbers.
    case virtualPhoneNumber(String)
    case store(String)

    /// The stable machine-readable name.
    public var code: String {
        switch self {
        case .userNotFound: "userNotFound"
        case .tenantNotFound: "tenantNotFound"
        case .alreadyExists: "alreadyExists"
        case .invalidPolicy: "invalidPolicy"
        case .invalidInput: "invalidInput"
        case .notAMember: "notAMember"
        case .mfaRequired: "mfaRequired"
        case .temporaryAccessPassRequired: "temporaryAccessPassRequired"
        case .mfaProofRejected: "mfaProofRejected"
        case .accessDenied: "accessDenied"
        case .methodDisabled: "methodDisabled"
        case .cannotRegister: "cannotRegister"
        case .cannotChange: "cannotChange"
        case .limitReached: "limitReached"
        case .fido2SelfServiceDisabled: "fido2SelfServiceDisabled"
        case .notDefaultCapable: "notDefaultCapable"
        case .methodNotFound: "methodNotFound"
        case .challengeUnknownOrUsed: "challengeUnknownOrUsed"
        case .challengeExpired: "challengeExpired"
        case .wrongCeremonyType: "wrongCeremonyType"
        case .wrongOrigin: "wrongOrigin"
        case .wrongRelyingParty: "wrongRelyingParty"
        case .userPresenceMissing: "userPresenceMissing"
        case .userVerificationMissing: "userVerificationMissing"
        case .signatureInvalid: "signatureInvalid"
        case .attestationRequired: "attestationRequired"
        case .attestationUntrusted: "attestationUntrusted"
        case .authenticatorCompromised: "authenticatorCompromised"
        case .certificationInsufficient: "certificationInsufficient"
        case .aaguidBlocked: "aaguidBlocked"
        case .aaguidNotAllowed: "aaguidNotAllowed"
        case .duplicateCredential: "duplicateCredential"
        case .malformedResponse: "malformedResponse"
        case .virtualPhoneNumber: "virtualPhoneNumber"
        case .store: "store"
        }
    }
}

extension RegistrationError {
    /// The specifics a refusal carries (the offending value or the reason), for logs and `--json`.
    public var detail: String? {
        switch self {
        case .userNotFound(let text), .tenantNotFound(let text), .alreadyExists(let text), .invalidPolicy(let text),
            .invalidInput(let text), .mfaProofRejected(let text), .accessDenied(let text), .methodNotFound(let text),
            .wrongCeremonyType(let text), .attestationUntrusted(let text), .aaguidBlocked(let text),
            .authenticatorCompromised(let text), .certificationInsufficient(let text),
            .aaguidNotAllowed(let text), .malformedResponse(let text), .virtualPhoneNumber(let text), .store(let text):
            text
        case .notAMember(let tenant): "not a member of \(tenant)"
        case .wrongOrigin(let expected, let got): "expected origin \(expected), got \(got)"
        case .limitReached(let kind, let maximum): "at most \(maximum) \(kind.rawValue)"
        case .methodDisabled(let kind), .cannotRegister(let kind), .cannotChange(let kind),
            .notDefaultCapable(let kind):
            kind.rawValue
        default: nil
        }
    }
}
