import KeyBridgeCBOR

extension RegistrationResponseJSON {
    /// A response from the parts every WebAuthn client sends (Graph's `publicKeyCredential` carries
    /// only these): the derived members — authenticator data and the credential's algorithm — are
    /// read from the attestation object. Throws when it cannot be decoded.
    public init(
        id: String, clientDataJSON: String, attestationObject: String, transports: [String] = [],
        clientExtensionResults: ClientExtensionResults = ClientExtensionResults()
    ) throws(KeyBridgeError) {
        guard let bytes = Base64URL.decode(attestationObject) else {
            throw .verificationFailed("the attestation object is not base64url")
        }
        let object = try AttestationObject(bytes)
        let algorithm = object.authenticatorData.attestedCredential?.publicKey[intKey: 3]?.intValue ?? 0
        self.init(
            id: id, rawId: id, type: "public-key",
            response: Response(
                clientDataJSON: clientDataJSON, attestationObject: attestationObject,
                authenticatorData: Base64URL.encode(object.authenticatorData.raw), transports: transports,
                publicKeyAlgorithm: algorithm, publicKey: nil),
            authenticatorAttachment: "cross-platform", clientExtensionResults: clientExtensionResults)
    }
}
