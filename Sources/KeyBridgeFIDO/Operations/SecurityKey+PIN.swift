import CFido2

extension SecurityKey {
    /// Sets the first PIN on a key that has none.
    public func setPIN(_ newPIN: String, timeout: Duration = .seconds(10)) async throws(KeyBridgeError) {
        try PINPolicy.validateFormat(newPIN)
        try await perform(timeout: timeout) { handle throws(KeyBridgeError) in
            try FidoStatus.check(fido_dev_set_pin(handle.pointer, newPIN, nil), "setting the PIN")
        }
    }

    /// Changes the PIN. A wrong `currentPIN` reports how many tries are left.
    public func changePIN(from currentPIN: String, to newPIN: String, timeout: Duration = .seconds(10))
        async throws(KeyBridgeError)
    {
        try PINPolicy.validateFormat(newPIN)
        try await perform(timeout: timeout) { handle throws(KeyBridgeError) in
            let status = fido_dev_set_pin(handle.pointer, newPIN, currentPIN)
            try Self.checkPINStatus(status, handle: handle, context: "changing the PIN")
        }
    }

    /// PIN retries left before the PIN blocks.
    public func pinRetries(timeout: Duration = .seconds(5)) async throws(KeyBridgeError) -> Int {
        try await perform(timeout: timeout) { handle throws(KeyBridgeError) in
            var retries: Int32 = 0
            try FidoStatus.check(fido_dev_get_retry_count(handle.pointer, &retries), "reading PIN retries")
            return Int(retries)
        }
    }

    /// Built-in user-verification retries left (keys with fingerprint or similar).
    public func uvRetries(timeout: Duration = .seconds(5)) async throws(KeyBridgeError) -> Int {
        try await perform(timeout: timeout) { handle throws(KeyBridgeError) in
            var retries: Int32 = 0
            try FidoStatus.check(fido_dev_get_uv_retry_count(handle.pointer, &retries), "reading UV retries")
            return Int(retries)
        }
    }

    /// Erases every credential and the PIN. Real keys allow this only just after power-up and
    /// only with a touch.
    public func reset(timeout: Duration = .seconds(30), onTouchNeeded: (@Sendable () -> Void)? = nil)
        async throws(KeyBridgeError)
    {
        try await perform(timeout: timeout, onTouchNeeded: onTouchNeeded) { handle throws(KeyBridgeError) in
            try FidoStatus.check(fido_dev_reset(handle.pointer), "authenticatorReset")
        }
    }

    /// Waits until the user touches the key (authenticatorSelection through libfido2's touch probe).
    public func waitForTouch(timeout: Duration = .seconds(30), onTouchNeeded: (@Sendable () -> Void)? = nil)
        async throws(KeyBridgeError)
    {
        try await perform(timeout: timeout, onTouchNeeded: onTouchNeeded) { handle throws(KeyBridgeError) in
            try FidoStatus.check(fido_dev_get_touch_begin(handle.pointer), "touch request")
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                var touched: Int32 = 0
                let status = fido_dev_get_touch_status(handle.pointer, &touched, 200)
                if status != FIDO_OK {
                    throw FidoStatus.error(for: status, context: "waiting for a touch")
                }
                if touched != 0 { return }
            }
            _ = fido_dev_cancel(handle.pointer)
            throw .userActionTimeout
        }
    }

    /// Turns a wrong-PIN status into ``KeyBridgeError/pinInvalid(retriesLeft:)`` with the count
    /// read back from the key.
    static func checkPINStatus(_ status: Int32, handle: DeviceHandle, context: String) throws(KeyBridgeError) {
        guard status != FIDO_OK else { return }
        if status == FIDO_ERR_PIN_INVALID {
            var retries: Int32 = 0
            let known = fido_dev_get_retry_count(handle.pointer, &retries) == FIDO_OK
            throw .pinInvalid(retriesLeft: known ? Int(retries) : nil)
        }
        throw FidoStatus.error(for: status, context: context)
    }
}
