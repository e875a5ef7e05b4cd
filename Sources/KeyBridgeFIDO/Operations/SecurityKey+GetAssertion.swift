import CFido2
import KeyBridgeCBOR

extension SecurityKey {
    /// Signs in with the key. With an empty allow list the key may return several discoverable
    /// credentials; every one comes back, in the order the key gave them.
    public func getAssertion(
        _ request: GetAssertionRequest, onTouchNeeded: (@Sendable () -> Void)? = nil
    ) async throws(KeyBridgeError) -> [AuthenticationResponseJSON] {
        try RequestLimits.check(relyingPartyID: request.relyingPartyID)
        try RequestLimits.check(credentialIDs: request.allowCredentials, list: "allow list")
        if let salt = request.hmacSalt, salt.count != 32 && salt.count != 64 {
            throw .invalidArgument("an hmac-secret salt is 32 bytes (or 64 for two salts), got \(salt.count)")
        }
        if let pin = request.pin { try PINPolicy.validateFormat(pin) }
        let clientDataHash = try request.clientData.hash(type: .get)
        let clientDataJSON = request.clientData.json(type: .get).map(Base64URL.encode)
        return try await perform(timeout: request.timeout, onTouchNeeded: onTouchNeeded) {
            handle throws(KeyBridgeError) in
            let assertion = try FidoAssertion()
            try assertion.configure(request, clientDataHash: clientDataHash)
            try Self.checkPINStatus(
                fido_dev_get_assert(handle.pointer, assertion.pointer, request.pin), handle: handle,
                context: "authenticatorGetAssertion")
            return try assertion.responses(
                clientDataJSON: clientDataJSON,
                soleAllowed: request.allowCredentials.count == 1 ? request.allowCredentials[0] : nil)
        }
    }
}

/// Owns a `fido_assert_t` for one get-assertion call.
final class FidoAssertion {
    let pointer: OpaquePointer

    init() throws(KeyBridgeError) {
        guard let pointer = fido_assert_new() else { throw .transport("out of memory") }
        self.pointer = pointer
    }

    deinit {
        var copy: OpaquePointer? = pointer
        fido_assert_free(&copy)
    }

    func configure(_ request: GetAssertionRequest, clientDataHash: [UInt8]) throws(KeyBridgeError) {
        try FidoStatus.check(fido_assert_set_rp(pointer, request.relyingPartyID), "relying party")
        try FidoStatus.check(
            fido_assert_set_clientdata_hash(pointer, clientDataHash, clientDataHash.count), "client data hash")
        for allowed in request.allowCredentials {
            try FidoStatus.check(fido_assert_allow_cred(pointer, allowed, allowed.count), "allow list")
        }
        try FidoStatus.check(
            fido_assert_set_up(pointer, request.userPresence ? FIDO_OPT_TRUE : FIDO_OPT_FALSE), "user presence")
        if request.userVerification && request.pin == nil {
            try FidoStatus.check(fido_assert_set_uv(pointer, FIDO_OPT_TRUE), "user verification")
        }
        if let salt = request.hmacSalt {
            try FidoStatus.check(fido_assert_set_extensions(pointer, FIDO_EXT_HMAC_SECRET), "extensions")
            try FidoStatus.check(fido_assert_set_hmac_salt(pointer, salt, salt.count), "hmac-secret salt")
        }
    }

    func responses(clientDataJSON: String?, soleAllowed: [UInt8]?) throws(KeyBridgeError) -> [AuthenticationResponseJSON] {
        let decoder = CBORDecoder(strict: false)
        return try (0..<fido_assert_count(pointer)).map { index throws(KeyBridgeError) in
            // libfido2 keeps authenticator data CBOR-wrapped (a byte string item).
            let wrapped = bytes(fido_assert_authdata_ptr(pointer, index), fido_assert_authdata_len(pointer, index))
            guard let item = try? decoder.decode(wrapped), let authData = item.bytesValue else {
                throw .transport("the key returned malformed authenticator data")
            }
            var credentialID = bytes(fido_assert_id_ptr(pointer, index), fido_assert_id_len(pointer, index))
            if credentialID.isEmpty, let soleAllowed { credentialID = soleAllowed }
            let userHandle = bytes(fido_assert_user_id_ptr(pointer, index), fido_assert_user_id_len(pointer, index))
            let secret = bytes(fido_assert_hmac_secret_ptr(pointer, index), fido_assert_hmac_secret_len(pointer, index))
            let id = Base64URL.encode(credentialID)
            return AuthenticationResponseJSON(
                id: id, rawId: id, type: "public-key",
                response: .init(
                    clientDataJSON: clientDataJSON, authenticatorData: Base64URL.encode(authData),
                    signature: Base64URL.encode(
                        bytes(fido_assert_sig_ptr(pointer, index), fido_assert_sig_len(pointer, index))),
                    userHandle: userHandle.isEmpty ? nil : Base64URL.encode(userHandle)),
                authenticatorAttachment: "cross-platform",
                clientExtensionResults: ClientExtensionResults(
                    hmacGetSecret: secret.isEmpty
                        ? nil
                        : .init(
                            output1: Base64URL.encode(secret.prefix(32)),
                            output2: secret.count > 32 ? Base64URL.encode(secret.dropFirst(32)) : nil)))
        }
    }
}
