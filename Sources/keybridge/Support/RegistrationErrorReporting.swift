import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration

extension RegistrationError {
    /// The exit status of a directory refusal (see the README's table).
    var exitCode: Int32 {
        switch self {
        case .invalidInput, .invalidPolicy, .malformedResponse: 2
        case .wrongOrigin, .wrongRelyingParty, .signatureInvalid, .attestationRequired, .attestationUntrusted,
            .authenticatorCompromised, .certificationInsufficient,
            .challengeUnknownOrUsed, .challengeExpired, .wrongCeremonyType, .userPresenceMissing, .userVerificationMissing:
            9
        case .userNotFound, .tenantNotFound, .methodNotFound, .notAMember: 11
        case .mfaRequired, .temporaryAccessPassRequired, .mfaProofRejected, .accessDenied: 12
        case .store: 14
        default: 13
        }
    }

    /// The message a person reads: the catalog's sentence, then the specifics.
    func message(_ catalog: MessageCatalog) -> String { catalog.sentence(for: self) }
}

extension RemoteDirectoryError {
    /// The exit status: as a local directory's for the same situation (see the README's table).
    var exitCode: Int32 {
        switch kind {
        case .unreachable, .serverFailure, .unexpectedResponse: 14
        case .unauthorized: 12
        case .refused:
            switch status {
            case 403: 12
            case 404: 11
            case 409: 13
            default: 2
            }
        }
    }
}

extension EnrollmentFailure {
    /// The exit status: the cause's.
    var exitCode: Int32 {
        switch cause {
        case .key(let error): error.exitCode
        case .directory(let error): error.exitCode
        case .remote(let error): error.exitCode
        case .cancelled: 130
        }
    }

    var code: String {
        switch cause {
        case .key(let error): error.code
        case .directory(let error): error.code
        case .remote(let error): error.code
        case .cancelled: "cancelled"
        }
    }

    /// What went wrong and what was undone.
    func message(_ catalog: MessageCatalog) -> String {
        let what: String = switch cause {
        case .key(let error): error.description
        case .directory(let error): error.message(catalog)
        case .remote(let error): error.message
        case .cancelled: catalog.text("kiosk.cancelled")
        }
        return "\(what) \(rollbackSentence(catalog))"
    }

    /// What was undone, in the catalog's language.
    func rollbackSentence(_ catalog: MessageCatalog) -> String {
        let undone: String = switch rollback {
        case .nothingCreated, .nothingStoredOnKey: catalog.text("rollback.nothingCreated")
        case .credentialDeleted: catalog.text("rollback.credentialDeleted")
        case .credentialLeftOnKey(let id, let reason):
            catalog.text("rollback.credentialLeftOnKey", ["credential": id, "reason": reason])
        }
        return pinWasSet ? undone + " " + catalog.text("rollback.pinKept") : undone
    }

    var rollbackName: String {
        switch rollback {
        case .nothingCreated: "nothingCreated"
        case .nothingStoredOnKey: "nothingStoredOnKey"
        case .credentialDeleted: "credentialDeleted"
        case .credentialLeftOnKey: "credentialLeftOnKey"
        }
    }
}
