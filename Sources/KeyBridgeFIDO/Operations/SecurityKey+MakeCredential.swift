import CFido2
import KeyBridgeCBOR

extension SecurityKey {
    /// Creates a credential on the key and returns it as WebAuthn `RegistrationResponseJSON`.
    ///
    /// `onTouchNeeded` is called once when the key starts waiting for the user's touch.
    public func makeCredential(
        _ request: MakeCredentialRequest, onTouchNeeded: (@Sendable () -> Void)? = nil
    ) async throws(KeyBridgeError) -> RegistrationResponseJSON {
        try Self.validate(request)
        let clientDataHash = try request.clientData.hash(type: .create)
        let clientDataJSON = request.clientData.json(type: .create)
        let transports = descriptor.transport == .usb ? ["usb"] : nil
        return try await perform(timeout: request.timeout, onTouchNeeded: onTouchNeeded) {
            handle throws(KeyBridgeError) in
            let info = try self.cachedInfoForAlgorithms(handle)
            guard let algorithm = request.algorithms.first(where: info.supportsAlgorithm) else {
                throw .unsupported("any of the algorithms \(request.algorithms.map(\.name).joined(separator: ", "))")
            }
            let credential = try FidoCredential()
            try credential.configure(request, algorithm: algorithm, clientDataHash: clientDataHash)
            try Self.checkPINStatus(
                fido_dev_make_cred(handle.pointer, credential.pointer, request.pin), handle: handle,
                context: "authenticatorMakeCredential")
            return try credential.registrationResponse(
                clientDataJSON: clientDataJSON, transports: transports ?? (info.transports.isEmpty ? ["usb"] : info.transports),
                residentKey: request.residentKey)
        }
    }

    /// getInfo's algorithms and transports, read from the key once per session (they do not change).
    private func cachedInfoForAlgorithms(_ handle: DeviceHandle) throws(KeyBridgeError) -> DeviceInfo {
        if let cached = algorithmCache.withLock({ $0 }), let transports = transportCache.withLock({ $0 }) {
            var info = DeviceInfo.empty
            info.algorithms = cached
            info.transports = transports
            return info
        }
        let info = try Self.readInfo(handle.pointer)
        algorithmCache.withLock { $0 = info.algorithms }
        transportCache.withLock { $0 = info.transports }
        return info
    }

    static func validate(_ request: MakeCredentialRequest) throws(KeyBridgeError) {
        try RequestLimits.check(relyingPartyID: request.relyingParty.id)
        try RequestLimits.check(credentialIDs: request.excludeCredentials, list: "exclude list")
        guard (1...64).contains(request.user.id.count) else {
            throw .invalidArgument("the user handle must be 1 to 64 bytes, got \(request.user.id.count)")
        }
        guard !request.user.name.isEmpty else { throw .invalidArgument("the user name is empty") }
        guard !request.algorithms.isEmpty else { throw .invalidArgument("no algorithm was requested") }
        if let pin = request.pin { try PINPolicy.validateFormat(pin) }
    }
}

/// Owns a `fido_cred_t` for one make-credential call.
final class FidoCredential {
    let pointer: OpaquePointer

    init() throws(KeyBridgeError) {
        guard let pointer = fido_cred_new() else { throw .transport("out of memory") }
        self.pointer = pointer
    }

    deinit {
        var copy: OpaquePointer? = pointer
        fido_cred_free(&copy)
    }

    func configure(
        _ request: MakeCredentialRequest, algorithm: COSEAlgorithm, clientDataHash: [UInt8]
    ) throws(KeyBridgeError) {
        try FidoStatus.check(fido_cred_set_type(pointer, algorithm.fidoType), "credential type")
        try FidoStatus.check(
            fido_cred_set_clientdata_hash(pointer, clientDataHash, clientDataHash.count), "client data hash")
        try FidoStatus.check(
            fido_cred_set_rp(pointer, request.relyingParty.id, RequestLimits.truncated(request.relyingParty.name ?? request.relyingParty.id)),
            "relying party")
        try FidoStatus.check(
            fido_cred_set_user(
                pointer, request.user.id, request.user.id.count, RequestLimits.truncated(request.user.name),
                RequestLimits.truncated(request.user.displayName ?? request.user.name), nil),
            "user")
        for excluded in request.excludeCredentials {
            try FidoStatus.check(fido_cred_exclude(pointer, excluded, excluded.count), "exclude list")
        }
        if request.residentKey { try FidoStatus.check(fido_cred_set_rk(pointer, FIDO_OPT_TRUE), "resident key") }
        if request.userVerification && request.pin == nil {
            try FidoStatus.check(fido_cred_set_uv(pointer, FIDO_OPT_TRUE), "user verification")
        }
        var extensions: Int32 = 0
        if request.hmacSecret { extensions |= FIDO_EXT_HMAC_SECRET }
        if request.minPINLength { extensions |= FIDO_EXT_MINPINLEN }
        if let protection = request.credentialProtection {
            extensions |= FIDO_EXT_CRED_PROTECT
            try FidoStatus.check(fido_cred_set_prot(pointer, Int32(protection.rawValue)), "credProtect")
        }
        if let blob = request.credentialBlob {
            try FidoStatus.check(fido_cred_set_blob(pointer, blob, blob.count), "credBlob")
        }
        try FidoStatus.check(fido_cred_set_extensions(pointer, extensions), "extensions")
    }

    /// Builds the WebAuthn JSON from what the key returned.
    func registrationResponse(
        clientDataJSON: [UInt8]?, transports: [String], residentKey: Bool
    ) throws(KeyBridgeError) -> RegistrationResponseJSON {
        let authData = bytes(fido_cred_authdata_raw_ptr(pointer), fido_cred_authdata_raw_len(pointer))
        let parsed = try AuthenticatorData(authData)
        guard let attested = parsed.attestedCredential else {
            throw .transport("the key returned no attested credential data")
        }
        let format = fido_cred_fmt(pointer).map { String(cString: $0) } ?? "none"
        var attStmt = bytes(fido_cred_attstmt_ptr(pointer), fido_cred_attstmt_len(pointer))
        if attStmt.isEmpty { attStmt = CBOREncoder.encode(.map([:])) }
        var attestationObject = CBORRawMapWriter()
        attestationObject.add("fmt", .text(format))
        attestationObject.add("attStmt", rawValue: attStmt)
        attestationObject.add("authData", .bytes(authData))

        let extensionOutputs = parsed.extensions
        let id = Base64URL.encode(attested.credentialID)
        return RegistrationResponseJSON(
            id: id, rawId: id, type: "public-key",
            response: .init(
                clientDataJSON: clientDataJSON.map(Base64URL.encode),
                attestationObject: Base64URL.encode(attestationObject.encode()),
                authenticatorData: Base64URL.encode(authData), transports: transports,
                publicKeyAlgorithm: COSEKey.algorithm(attested.publicKey) ?? Int(fido_cred_type(pointer)),
                publicKey: COSEKey.subjectPublicKeyInfo(attested.publicKey).map(Base64URL.encode)),
            authenticatorAttachment: "cross-platform",
            clientExtensionResults: ClientExtensionResults(
                credProps: .init(rk: residentKey),
                hmacCreateSecret: extensionOutputs?[textKey: "hmac-secret"]?.boolValue,
                credProtect: extensionOutputs?[textKey: "credProtect"]?.intValue))
    }
}
