import KeyBridgeCBOR

/// A decoded WebAuthn attestation object `{fmt, attStmt, authData}`.
public struct AttestationObject: Sendable {
    /// The attestation statement format (`packed`, `fido-u2f`, `none`, …).
    public var format: String
    /// The attestation statement exactly as the key encoded it.
    public var statementCBOR: [UInt8]
    /// The decoded attestation statement.
    public var statement: CBOR
    public var authenticatorData: AuthenticatorData

    /// Decodes the base64url or raw bytes of an attestation object.
    public init(_ bytes: [UInt8]) throws(KeyBridgeError) {
        let decoder = CBORDecoder(strict: false)
        guard let fields = try? decoder.rawMapValues(bytes),
            let fmtBytes = fields[.text("fmt")], let fmt = try? decoder.decode(fmtBytes), let format = fmt.textValue,
            let statementCBOR = fields[.text("attStmt")], let statement = try? decoder.decode(statementCBOR),
            let authBytes = fields[.text("authData")], let auth = try? decoder.decode(authBytes),
            let authData = auth.bytesValue
        else { throw .verificationFailed("the attestation object is not a CBOR map of fmt, attStmt and authData") }
        self.format = format
        self.statementCBOR = statementCBOR
        self.statement = statement
        self.authenticatorData = try AuthenticatorData(authData)
    }
}
