import CFido2
import Crypto
import KeyBridgeCBOR

/// Relying-party-side checks done by libfido2 (`fido_cred_verify`, `fido_assert_verify`):
/// rpIdHash, the UP (and optionally UV) flag, the extension set and the signature.
///
/// libfido2 does not check clientDataJSON, certificate chains or sign counters; callers that
/// act as a relying party must do that themselves (the registration module does).
public enum FidoVerifier {
    /// What a verified registration yields (the same as keybridge's own verifier).
    public typealias VerifiedRegistration = WebAuthnVerifier.VerifiedRegistration

    /// Verifies a registration. The client-data hash is taken from `clientDataJSON` unless given.
    public static func verifyRegistration(
        _ response: RegistrationResponseJSON, rpID: String, clientDataHash: [UInt8]? = nil, requireUV: Bool = false
    ) throws(KeyBridgeError) -> VerifiedRegistration {
        let (object, attested, algorithm) = try WebAuthnVerifier.parse(response)
        let auth = object.authenticatorData
        let alg = algorithm.rawValue
        let hash = try WebAuthnVerifier.hash(given: clientDataHash, clientDataJSON: response.response.clientDataJSON)

        guard let cred = fido_cred_new() else { throw .transport("out of memory") }
        var pointer: OpaquePointer? = cred
        defer { fido_cred_free(&pointer) }
        try FidoStatus.check(fido_cred_set_type(cred, algorithm.fidoType), "credential type")
        try FidoStatus.check(fido_cred_set_clientdata_hash(cred, hash, hash.count), "client data hash")
        try FidoStatus.check(fido_cred_set_rp(cred, rpID, nil), "relying party")
        try FidoStatus.check(fido_cred_set_authdata_raw(cred, auth.raw, auth.raw.count), "authenticator data")
        if requireUV { try FidoStatus.check(fido_cred_set_uv(cred, FIDO_OPT_TRUE), "user verification") }
        try mirrorExtensions(auth.extensions, on: cred)

        var checked = false
        if object.format != "none" {
            try FidoStatus.check(fido_cred_set_fmt(cred, object.format), "attestation format")
            try FidoStatus.check(
                fido_cred_set_attstmt(cred, object.statementCBOR, object.statementCBOR.count), "attestation statement")
            let hasCertificate = object.statement[textKey: "x5c"] != nil
            let status = hasCertificate ? fido_cred_verify(cred) : fido_cred_verify_self(cred)
            // libfido2 decides; when it refuses a response for another relying party, say so
            // (it reports only an invalid parameter).
            if status != FIDO_OK, auth.rpIDHash != Array(SHA256.hash(data: Array(rpID.utf8))) {
                throw .verificationFailed("rpIdHash does not match \(rpID)")
            }
            try FidoStatus.check(status, "attestation signature")
            checked = true
        } else {
            guard auth.rpIDHash == Array(SHA256.hash(data: Array(rpID.utf8))) else {
                throw .verificationFailed("rpIdHash does not match \(rpID)")
            }
            guard auth.flags.contains(.userPresent) else { throw .verificationFailed("the UP flag is not set") }
        }
        return VerifiedRegistration(
            credentialID: attested.credentialID, publicKey: attested.publicKey, algorithm: alg,
            aaguid: attested.aaguid, signCount: auth.signCount, format: object.format,
            attestationSignatureChecked: checked)
    }

    /// Verifies an assertion against a credential public key (COSE).
    public static func verifyAssertion(
        _ response: AuthenticationResponseJSON, rpID: String, publicKey: CBOR, clientDataHash: [UInt8]? = nil,
        requireUV: Bool = false
    ) throws(KeyBridgeError) {
        guard let authBytes = Base64URL.decode(response.response.authenticatorData),
            let signature = Base64URL.decode(response.response.signature)
        else { throw .verificationFailed("authenticatorData or signature is not base64url") }
        let auth = try AuthenticatorData(authBytes)
        let hash = try WebAuthnVerifier.hash(given: clientDataHash, clientDataJSON: response.response.clientDataJSON)
        guard let assertion = fido_assert_new() else { throw .transport("out of memory") }
        var pointer: OpaquePointer? = assertion
        defer { fido_assert_free(&pointer) }
        try FidoStatus.check(fido_assert_set_rp(assertion, rpID), "relying party")
        try FidoStatus.check(fido_assert_set_clientdata_hash(assertion, hash, hash.count), "client data hash")
        try FidoStatus.check(fido_assert_set_count(assertion, 1), "count")
        try FidoStatus.check(fido_assert_set_authdata_raw(assertion, 0, authBytes, authBytes.count), "authenticator data")
        try FidoStatus.check(fido_assert_set_sig(assertion, 0, signature, signature.count), "signature")
        try FidoStatus.check(fido_assert_set_up(assertion, FIDO_OPT_TRUE), "user presence")
        if requireUV { try FidoStatus.check(fido_assert_set_uv(assertion, FIDO_OPT_TRUE), "user verification") }
        if auth.extensions?[textKey: "hmac-secret"] != nil {
            try FidoStatus.check(fido_assert_set_extensions(assertion, FIDO_EXT_HMAC_SECRET), "extensions")
        }
        switch COSEKey.algorithm(publicKey) {
        case COSEAlgorithm.es256.rawValue:
            let key = try COSEKey.p256(publicKey)
            guard let pk = es256_pk_new() else { throw .transport("out of memory") }
            var pkPointer: OpaquePointer? = pk
            defer { es256_pk_free(&pkPointer) }
            let raw = Array(key.rawRepresentation)
            try FidoStatus.check(es256_pk_from_ptr(pk, raw, raw.count), "public key")
            try FidoStatus.check(
                fido_assert_verify(assertion, 0, COSE_ES256, UnsafeRawPointer(pk)), "assertion signature")
        case COSEAlgorithm.edDSA.rawValue:
            let key = try COSEKey.ed25519(publicKey)
            guard let pk = eddsa_pk_new() else { throw .transport("out of memory") }
            var pkPointer: OpaquePointer? = pk
            defer { eddsa_pk_free(&pkPointer) }
            let raw = Array(key.rawRepresentation)
            try FidoStatus.check(eddsa_pk_from_ptr(pk, raw, raw.count), "public key")
            try FidoStatus.check(
                fido_assert_verify(assertion, 0, COSE_EDDSA, UnsafeRawPointer(pk)), "assertion signature")
        default:
            throw .unsupported("verifying this key type")
        }
    }

    /// libfido2 requires the expected extension set to equal the one in authData exactly.
    private static func mirrorExtensions(_ extensions: CBOR?, on cred: OpaquePointer) throws(KeyBridgeError) {
        guard let extensions else { return }
        var mask: Int32 = 0
        if extensions[textKey: "hmac-secret"] != nil { mask |= FIDO_EXT_HMAC_SECRET }
        if let level = extensions[textKey: "credProtect"]?.intValue {
            mask |= FIDO_EXT_CRED_PROTECT
            try FidoStatus.check(fido_cred_set_prot(cred, Int32(level)), "credProtect")
        }
        if let length = extensions[textKey: "minPinLength"]?.intValue {
            mask |= FIDO_EXT_MINPINLEN
            try FidoStatus.check(fido_cred_set_pin_minlen(cred, length), "minPinLength")
        }
        if extensions[textKey: "credBlob"] != nil { mask |= FIDO_EXT_CRED_BLOB }
        try FidoStatus.check(fido_cred_set_extensions(cred, mask), "extensions")
    }
}
