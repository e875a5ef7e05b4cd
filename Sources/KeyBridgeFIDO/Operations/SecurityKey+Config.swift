import CFido2

extension SecurityKey {
    /// Raises the key's minimum PIN length (CTAP 2.1 authenticatorConfig, setMinPINLength).
    ///
    /// The minimum can only rise. If the current PIN is shorter than `length`, the key demands
    /// a PIN change before the PIN can be used again (getInfo then reports `forcePINChange`).
    ///
    /// - Parameters:
    ///   - length: The new minimum in Unicode code points, from the key's current minimum to 63.
    ///   - pin: The key's PIN. It may be nil while the key has no PIN, and is not sent then.
    /// - Throws: ``KeyBridgeError/unsupported(_:)`` when the key lacks authenticatorConfig or
    ///   setMinPINLength; ``KeyBridgeError/pinPolicyViolation(_:)`` when `length` is below the
    ///   current minimum, or a PIN change is already pending; ``KeyBridgeError/pinRequired`` when
    ///   the key has a PIN and none was given; ``KeyBridgeError/pinInvalid(retriesLeft:)`` for a
    ///   wrong PIN.
    public func setMinimumPINLength(_ length: Int, pin: String?, timeout: Duration = .seconds(10))
        async throws(KeyBridgeError)
    {
        guard (1...63).contains(length) else {
            throw .invalidArgument("a minimum PIN length must be between 4 and 63, not \(length)")
        }
        try await perform(timeout: timeout) { handle throws(KeyBridgeError) in
            let info = try Self.readInfo(handle.pointer)
            try Self.requireMinimumPINLengthSupport(info)
            guard length >= info.minPINLength else {
                throw .pinPolicyViolation(
                    "the key's minimum PIN length is already \(info.minPINLength) and can only be raised")
            }
            if info.hasPIN && pin == nil { throw .pinRequired }
            let status = fido_dev_set_pin_minlen(handle.pointer, length, info.hasPIN ? pin : nil)
            try Self.checkConfigStatus(status, info: info, handle: handle, context: "setting the minimum PIN length")
        }
    }

    /// Makes the key refuse its current PIN until it is changed (CTAP 2.1 authenticatorConfig,
    /// setMinPINLength with forceChangePin). Until then getInfo reports `forcePINChange` and
    /// every operation that needs the PIN fails with ``KeyBridgeError/pinPolicyViolation(_:)``;
    /// ``changePIN(from:to:timeout:)`` clears it. Does nothing when a change is already pending.
    ///
    /// - Throws: ``KeyBridgeError/unsupported(_:)`` when the key lacks authenticatorConfig or
    ///   setMinPINLength; ``KeyBridgeError/pinNotSet`` when the key has no PIN;
    ///   ``KeyBridgeError/pinInvalid(retriesLeft:)`` for a wrong PIN.
    public func forcePINChange(pin: String, timeout: Duration = .seconds(10)) async throws(KeyBridgeError) {
        try await perform(timeout: timeout) { handle throws(KeyBridgeError) in
            let info = try Self.readInfo(handle.pointer)
            try Self.requireMinimumPINLengthSupport(info)
            guard info.hasPIN else { throw .pinNotSet }
            guard !info.forcePINChange else { return }
            let status = fido_dev_force_pin_change(handle.pointer, pin)
            try Self.checkConfigStatus(status, info: info, handle: handle, context: "forcing a PIN change")
        }
    }

    /// Fails unless getInfo lists both authenticatorConfig and its setMinPINLength subcommand.
    static func requireMinimumPINLengthSupport(_ info: DeviceInfo) throws(KeyBridgeError) {
        guard info.isFIDO2 else { throw .unsupported("authenticatorConfig (it is a U2F-only key)") }
        guard info.isEnabled("authnrCfg") else {
            throw .unsupported("authenticatorConfig (getInfo has no authnrCfg option)")
        }
        guard info.isEnabled("setMinPINLength") else {
            throw .unsupported("setting a minimum PIN length (getInfo has no setMinPINLength option)")
        }
    }

    /// Maps an authenticatorConfig result, naming a pending PIN change when that is the cause.
    private static func checkConfigStatus(
        _ status: Int32, info: DeviceInfo, handle: DeviceHandle, context: String
    ) throws(KeyBridgeError) {
        switch status {
        case FIDO_ERR_PIN_POLICY_VIOLATION where info.forcePINChange:
            throw .pinPolicyViolation("the key demands a PIN change first (`keybridge fido pin change`)")
        case FIDO_ERR_PIN_POLICY_VIOLATION:
            throw .pinPolicyViolation("the key refused the new minimum PIN length")
        case FIDO_ERR_INVALID_COMMAND, FIDO_ERR_UNSUPPORTED_OPTION:
            throw .unsupported("authenticatorConfig (the key rejected the command)")
        default:
            try checkPINStatus(status, handle: handle, context: context)
        }
    }
}
