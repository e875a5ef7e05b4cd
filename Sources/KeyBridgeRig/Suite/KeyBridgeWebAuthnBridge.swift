import KeyBridgeWebAuthn

/// The relying-party checks the suite borrows from KeyBridgeWebAuthn (not from the authenticator).
enum KeyBridgeWebAuthnBridge {
    /// An ES256 signature by an X.509 certificate's key.
    static func verify(signature: [UInt8], over message: [UInt8], certificate: [UInt8]) throws -> Bool {
        try WebAuthnVerifier.verify(signature: signature, over: message, certificate: certificate, algorithm: -7)
    }
}
