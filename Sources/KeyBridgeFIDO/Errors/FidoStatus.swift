import CFido2

/// Turns a libfido2 return value into a ``KeyBridgeError``.
enum FidoStatus {
    /// Throws the typed error for `code` unless it is `FIDO_OK`.
    static func check(_ code: Int32, _ context: @autoclosure () -> String) throws(KeyBridgeError) {
        guard code != FIDO_OK else { return }
        throw error(for: code, context: context())
    }

    /// The typed error for a libfido2 return value.
    static func error(for code: Int32, context: String) -> KeyBridgeError {
        switch code {
        case FIDO_ERR_PIN_INVALID: .pinInvalid(retriesLeft: nil)
        case FIDO_ERR_PIN_AUTH_BLOCKED: .pinAuthBlocked
        case FIDO_ERR_PIN_BLOCKED: .pinBlocked
        case FIDO_ERR_PIN_REQUIRED: .pinRequired
        case FIDO_ERR_PIN_NOT_SET: .pinNotSet
        case FIDO_ERR_PIN_POLICY_VIOLATION:
            .pinPolicyViolation("the key rejected the PIN (too short, or a PIN change is required first)")
        case FIDO_ERR_OPERATION_DENIED: .operationDenied
        case FIDO_ERR_USER_ACTION_TIMEOUT, FIDO_ERR_ACTION_TIMEOUT: .userActionTimeout
        case FIDO_ERR_NO_CREDENTIALS: .noCredentials
        case FIDO_ERR_CREDENTIAL_EXCLUDED: .credentialExcluded
        case FIDO_ERR_KEY_STORE_FULL: .keyStoreFull
        case FIDO_ERR_UNSUPPORTED_ALGORITHM: .unsupported("the requested algorithm")
        case FIDO_ERR_UNSUPPORTED_OPTION, FIDO_ERR_INVALID_OPTION: .unsupported("a requested option")
        case FIDO_ERR_UNSUPPORTED_EXTENSION: .unsupported("a requested extension")
        case FIDO_ERR_UV_BLOCKED: .uvBlocked
        case FIDO_ERR_UV_INVALID: .uvInvalid
        case FIDO_ERR_NOT_ALLOWED: .notAllowed
        case FIDO_ERR_KEEPALIVE_CANCEL: .cancelled
        case FIDO_ERR_INVALID_ARGUMENT, FIDO_ERR_INVALID_PARAM: .invalidArgument(context)
        case FIDO_ERR_INVALID_SIG: .verificationFailed("signature does not verify (\(context))")
        case FIDO_ERR_TX: .transport("could not send to the key (\(context))")
        case FIDO_ERR_RX: .transport("no valid answer from the key before the deadline (\(context))")
        case FIDO_ERR_RX_NOT_CBOR, FIDO_ERR_RX_INVALID_CBOR:
            .transport("a protocol error: the key sent malformed CBOR (\(context))")
        case FIDO_ERR_INVALID_CBOR, FIDO_ERR_CBOR_UNEXPECTED_TYPE, FIDO_ERR_INVALID_LENGTH, FIDO_ERR_INVALID_SEQ,
            FIDO_ERR_INVALID_CHANNEL, FIDO_ERR_CHANNEL_BUSY, FIDO_ERR_INVALID_COMMAND:
            .transport("the key rejected the message (\(String(cString: fido_strerr(code))), \(context))")
        case FIDO_ERR_INTERNAL: .transport("internal libfido2 error (\(context))")
        case FIDO_ERR_NOTFOUND: .deviceNotFound(context)
        default: code > 0 ? .ctap(status: Int(code)) : .transport("\(String(cString: fido_strerr(code))) (\(context))")
        }
    }
}
