import Crypto
import Foundation
import KeyBridgeCBOR
import X509
import _CryptoExtras

/// Relying-party signature checks in Swift (swift-crypto, swift-certificates), without libfido2 or
/// any hardware library: rpIdHash, the UP (and optionally UV) flag, and the attestation or
/// assertion signature (ES256, EdDSA, RS256). Attestation formats: `packed` (full with x5c, or
/// self) and `none`.
///
/// Like libfido2's `fido_cred_verify`, it does not check clientDataJSON, certificate chains or
/// sign counters; a relying party does that itself (the registration module does).
public enum WebAuthnVerifier {
    /// What a verified registration yields.
    public struct VerifiedRegistration: Sendable, Equatable {
        public var credentialID: [UInt8]
        public var publicKey: CBOR
        public var algorithm: Int
        public var aaguid: [UInt8]
        public var signCount: UInt32
        public var format: String
        /// True when an attestation signature was checked (packed); false for `none`.
        public var attestationSignatureChecked: Bool

        public init(
            credentialID: [UInt8], publicKey: CBOR, algorithm: Int, aaguid: [UInt8], signCount: UInt32, format: String,
            attestationSignatureChecked: Bool
        ) {
            self.credentialID = credentialID
            self.publicKey = publicKey
            self.algorithm = algorithm
            self.aaguid = aaguid
            self.signCount = signCount
            self.format = format
            self.attestationSignatureChecked = attestationSignatureChecked
        }
    }

    /// Verifies a registration. The client-data hash is taken from `clientDataJSON` unless given.
    public static func verifyRegistration(
        _ response: RegistrationResponseJSON, rpID: String, clientDataHash: [UInt8]? = nil, requireUV: Bool = false
    ) throws(KeyBridgeError) -> VerifiedRegistration {
        let (object, attested, credentialAlgorithm) = try parse(response)
        let auth = object.authenticatorData
        let algorithm = credentialAlgorithm.rawValue
        try checkFlags(auth, rpID: rpID, requireUV: requireUV)
        let signed = auth.raw + (try hash(given: clientDataHash, clientDataJSON: response.response.clientDataJSON))

        var checked = false
        switch object.format {
        case "none":
            guard object.statement.mapValue?.isEmpty ?? false else { throw .verificationFailed("a none attestation carries a statement") }
        case "packed":
            guard let alg = object.statement[textKey: "alg"]?.intValue, let signature = object.statement[textKey: "sig"]?.bytesValue else {
                throw .verificationFailed("the packed statement lacks alg or sig")
            }
            if let chain = object.statement[textKey: "x5c"]?.arrayValue {
                guard let leaf = chain.first?.bytesValue else { throw .verificationFailed("x5c is empty") }
                guard try verify(signature: signature, over: signed, certificate: leaf, algorithm: alg) else {
                    throw .verificationFailed("the attestation signature does not verify")
                }
            } else {
                // Self attestation: the credential key signs, with its own algorithm.
                guard alg == algorithm else { throw .verificationFailed("self attestation with another algorithm than the credential's") }
                guard try verify(signature: signature, message: signed, key: attested.publicKey) else {
                    throw .verificationFailed("the self-attestation signature does not verify")
                }
            }
            checked = true
        default:
            throw .unsupported("attestation format \(object.format)")
        }
        return VerifiedRegistration(
            credentialID: attested.credentialID, publicKey: attested.publicKey, algorithm: algorithm, aaguid: attested.aaguid,
            signCount: auth.signCount, format: object.format, attestationSignatureChecked: checked)
    }

    /// A registration's attestation object, its attested credential and the credential's algorithm;
    /// throws when any of them is missing or unknown.
    public static func parse(_ response: RegistrationResponseJSON) throws(KeyBridgeError)
        -> (object: AttestationObject, credential: AuthenticatorData.AttestedCredential, algorithm: COSEAlgorithm)
    {
        guard let objectBytes = Base64URL.decode(response.response.attestationObject) else {
            throw .verificationFailed("attestationObject is not base64url")
        }
        let object = try AttestationObject(objectBytes)
        guard let attested = object.authenticatorData.attestedCredential, let value = COSEKey.algorithm(attested.publicKey),
            let algorithm = COSEAlgorithm(rawValue: value)
        else { throw .verificationFailed("no credential public key with a known algorithm in authData") }
        return (object, attested, algorithm)
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
        try checkFlags(auth, rpID: rpID, requireUV: requireUV)
        guard try verify(signature: signature, message: authBytes + (try hash(given: clientDataHash, clientDataJSON: response.response.clientDataJSON)), key: publicKey) else {
            throw .verificationFailed("the assertion signature does not verify")
        }
    }

    /// The client-data hash: the one given, else the SHA-256 of the response's client data.
    public static func hash(given: [UInt8]?, clientDataJSON: String?) throws(KeyBridgeError) -> [UInt8] {
        if let given { return given }
        return try hashOfClientData(clientDataJSON)
    }

    /// The SHA-256 of the response's client data.
    static func hashOfClientData(_ clientDataJSON: String?) throws(KeyBridgeError) -> [UInt8] {
        guard let text = clientDataJSON, let json = Base64URL.decode(text) else {
            throw .verificationFailed("clientDataJSON is missing or not base64url; pass the client-data hash")
        }
        return Array(SHA256.hash(data: json))
    }

    private static func checkFlags(_ auth: AuthenticatorData, rpID: String, requireUV: Bool) throws(KeyBridgeError) {
        guard auth.rpIDHash == Array(SHA256.hash(data: Array(rpID.utf8))) else {
            throw .verificationFailed("rpIdHash does not match \(rpID)")
        }
        guard auth.flags.contains(.userPresent) else { throw .verificationFailed("the UP flag is not set") }
        if requireUV && !auth.flags.contains(.userVerified) { throw .verificationFailed("the UV flag is not set") }
    }

    /// A signature by a COSE key (ES256 DER, EdDSA raw, RS256 PKCS #1 v1.5).
    public static func verify(signature: [UInt8], message: [UInt8], key: CBOR) throws(KeyBridgeError) -> Bool {
        if COSEKey.algorithm(key) == COSEAlgorithm.rs256.rawValue {
            return try COSEKey.rsa(key).isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5)
        }
        return try COSEKey.verify(signature: signature, message: message, key: key)
    }

    /// A signature by an attestation certificate's key, with the statement's algorithm.
    public static func verify(signature: [UInt8], over message: [UInt8], certificate der: [UInt8], algorithm: Int) throws(KeyBridgeError) -> Bool {
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: der)
        } catch {
            throw .verificationFailed("the attestation certificate cannot be parsed")
        }
        switch algorithm {
        case COSEAlgorithm.es256.rawValue:
            guard let key = P256.Signing.PublicKey(certificate.publicKey) else { throw .verificationFailed("the certificate key is not P-256") }
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: message)
        case COSEAlgorithm.rs256.rawValue:
            guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else { throw .verificationFailed("the certificate key is not RSA") }
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5)
        case COSEAlgorithm.edDSA.rawValue:
            guard let key = Curve25519.Signing.PublicKey(certificate.publicKey) else {
                throw .verificationFailed("the certificate key is not Ed25519")
            }
            return key.isValidSignature(signature, for: message)
        default:
            throw .unsupported("attestation algorithm \(algorithm)")
        }
    }
}

extension COSEKey {
    /// The RSA key of an RS256 COSE key (n, e), through its PKCS #1 DER encoding.
    public static func rsa(_ key: CBOR) throws(KeyBridgeError) -> _RSA.Signing.PublicKey {
        guard key[intKey: 1]?.intValue == 3, let modulus = key[intKey: -1]?.bytesValue, let exponent = key[intKey: -2]?.bytesValue,
            !modulus.isEmpty, !exponent.isEmpty
        else { throw .verificationFailed("not an RSA COSE key") }
        let der = DER.sequence(DER.integer(modulus) + DER.integer(exponent))
        do {
            return try _RSA.Signing.PublicKey(derRepresentation: der)
        } catch {
            throw .verificationFailed("the RSA key is not usable: \(error)")
        }
    }
}

/// The few DER encodings an RSA public key needs.
enum DER {
    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var value = count
        while value > 0 {
            bytes.insert(UInt8(value & 0xFF), at: 0)
            value >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    /// An unsigned big-endian INTEGER (a leading zero keeps it positive).
    static func integer(_ magnitude: [UInt8]) -> [UInt8] {
        var body = Array(magnitude.drop { $0 == 0 })
        if body.isEmpty { body = [0] }
        if body[0] & 0x80 != 0 { body.insert(0, at: 0) }
        return [0x02] + length(body.count) + body
    }

    static func sequence(_ content: [UInt8]) -> [UInt8] { [0x30] + length(content.count) + content }
}
