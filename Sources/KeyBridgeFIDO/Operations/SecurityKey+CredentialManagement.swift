import CFido2

extension SecurityKey {
    /// Counts the discoverable credentials on the key (needs the PIN).
    public func credentialStorage(pin: String, timeout: Duration = .seconds(10)) async throws(KeyBridgeError)
        -> CredentialStorage
    {
        try await perform(timeout: timeout) { handle throws(KeyBridgeError) in
            guard let metadata = fido_credman_metadata_new() else { throw .transport("out of memory") }
            var pointer: OpaquePointer? = metadata
            defer { fido_credman_metadata_free(&pointer) }
            try Self.checkPINStatus(
                fido_credman_get_dev_metadata(handle.pointer, metadata, pin), handle: handle,
                context: "credential metadata")
            return CredentialStorage(
                existing: Int(fido_credman_rk_existing(metadata)), remaining: Int(fido_credman_rk_remaining(metadata)))
        }
    }

    /// Lists the relying parties that have discoverable credentials on the key.
    public func relyingParties(pin: String, timeout: Duration = .seconds(10)) async throws(KeyBridgeError)
        -> [StoredRelyingParty]
    {
        try await perform(timeout: timeout) { handle throws(KeyBridgeError) in
            try Self.readRelyingParties(handle, pin: pin)
        }
    }

    /// Lists discoverable credentials, for one RP or (when `rpID` is nil) for every RP.
    public func discoverableCredentials(rpID: String? = nil, pin: String, timeout: Duration = .seconds(20))
        async throws(KeyBridgeError) -> [StoredCredential]
    {
        try await perform(timeout: timeout) { handle throws(KeyBridgeError) in
            let rpIDs: [String]
            if let rpID { rpIDs = [rpID] } else { rpIDs = try Self.readRelyingParties(handle, pin: pin).map(\.id) }
            var result: [StoredCredential] = []
            for id in rpIDs { result += try Self.readCredentials(handle, rpID: id, pin: pin) }
            return result
        }
    }

    /// Deletes a discoverable credential by id.
    public func deleteCredential(id: [UInt8], pin: String, timeout: Duration = .seconds(10))
        async throws(KeyBridgeError)
    {
        guard !id.isEmpty else { throw .invalidArgument("the credential id is empty") }
        try await perform(timeout: timeout) { handle throws(KeyBridgeError) in
            try Self.checkPINStatus(
                fido_credman_del_dev_rk(handle.pointer, id, id.count, pin), handle: handle,
                context: "deleting a credential")
        }
    }

    /// Replaces the user name and display name stored with a discoverable credential.
    public func updateUser(credentialID: [UInt8], user: UserEntity, pin: String, timeout: Duration = .seconds(10))
        async throws(KeyBridgeError)
    {
        try await perform(timeout: timeout) { handle throws(KeyBridgeError) in
            let credential = try FidoCredential()
            try FidoStatus.check(fido_cred_set_id(credential.pointer, credentialID, credentialID.count), "credential id")
            try FidoStatus.check(
                fido_cred_set_user(
                    credential.pointer, user.id, user.id.count, user.name, user.displayName ?? user.name, nil),
                "user")
            try Self.checkPINStatus(
                fido_credman_set_dev_rk(handle.pointer, credential.pointer, pin), handle: handle,
                context: "updating user information")
        }
    }

    static func readRelyingParties(_ handle: DeviceHandle, pin: String) throws(KeyBridgeError) -> [StoredRelyingParty] {
        guard let list = fido_credman_rp_new() else { throw .transport("out of memory") }
        var pointer: OpaquePointer? = list
        defer { fido_credman_rp_free(&pointer) }
        let status = fido_credman_get_dev_rp(handle.pointer, list, pin)
        if status == FIDO_ERR_NO_CREDENTIALS { return [] }
        try checkPINStatus(status, handle: handle, context: "listing relying parties")
        return (0..<fido_credman_rp_count(list)).map { index in
            StoredRelyingParty(
                id: fido_credman_rp_id(list, index).map { String(cString: $0) } ?? "",
                name: fido_credman_rp_name(list, index).map { String(cString: $0) },
                idHash: Base64URL.encode(
                    bytes(fido_credman_rp_id_hash_ptr(list, index), fido_credman_rp_id_hash_len(list, index))))
        }
    }

    static func readCredentials(_ handle: DeviceHandle, rpID: String, pin: String) throws(KeyBridgeError)
        -> [StoredCredential]
    {
        guard let list = fido_credman_rk_new() else { throw .transport("out of memory") }
        var pointer: OpaquePointer? = list
        defer { fido_credman_rk_free(&pointer) }
        let status = fido_credman_get_dev_rk(handle.pointer, rpID, list, pin)
        if status == FIDO_ERR_NO_CREDENTIALS { return [] }
        try checkPINStatus(status, handle: handle, context: "listing credentials")
        return (0..<fido_credman_rk_count(list)).compactMap { index in
            guard let credential = fido_credman_rk(list, index) else { return nil }
            return StoredCredential(
                rpId: rpID,
                credentialId: Base64URL.encode(bytes(fido_cred_id_ptr(credential), fido_cred_id_len(credential))),
                userId: Base64URL.encode(bytes(fido_cred_user_id_ptr(credential), fido_cred_user_id_len(credential))),
                userName: fido_cred_user_name(credential).map { String(cString: $0) },
                userDisplayName: fido_cred_display_name(credential).map { String(cString: $0) },
                credProtect: Int(fido_cred_prot(credential)), algorithm: Int(fido_cred_type(credential)))
        }
    }
}
