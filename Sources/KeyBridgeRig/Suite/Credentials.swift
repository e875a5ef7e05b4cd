import Crypto
import KeyBridgeCBOR
import KeyBridgeWebAuthn

/// A makeCredential reply (CTAP 2.1 §6.1.2), parsed and checked for shape.
public struct MadeCredential: Sendable {
    public var format: String
    public var authData: AuthenticatorData
    public var statement: CBOR
    public var clientDataHash: [UInt8]
    public var reply: CBOR

    public init(_ reply: CBOR, clientDataHash: [UInt8]) throws(CheckFailure) {
        guard let format = reply[intKey: 1]?.textValue else { throw CheckFailure("makeCredential reply has no fmt (0x01) text") }
        guard let raw = reply[intKey: 2]?.bytesValue else { throw CheckFailure("makeCredential reply has no authData (0x02) bytes") }
        guard let statement = reply[intKey: 3], statement.mapValue != nil else {
            throw CheckFailure("makeCredential reply has no attStmt (0x03) map")
        }
        do {
            authData = try AuthenticatorData(raw)
        } catch {
            throw CheckFailure("authData does not parse: \(error)")
        }
        guard authData.attestedCredential != nil else { throw CheckFailure("authData has no attested credential data (AT flag)") }
        self.format = format
        self.statement = statement
        self.clientDataHash = clientDataHash
        self.reply = reply
    }

    public var credentialID: [UInt8] { authData.attestedCredential!.credentialID }
    public var publicKey: CBOR { authData.attestedCredential!.publicKey }
}

/// A getAssertion / getNextAssertion reply (CTAP 2.1 §6.2.2).
public struct Assertion: Sendable {
    public var credentialID: [UInt8]?
    public var authData: AuthenticatorData
    public var signature: [UInt8]
    public var user: CBOR?
    public var numberOfCredentials: Int?
    public var reply: CBOR

    public init(_ reply: CBOR) throws(CheckFailure) {
        guard let raw = reply[intKey: 2]?.bytesValue else { throw CheckFailure("the assertion has no authData (0x02)") }
        guard let signature = reply[intKey: 3]?.bytesValue else { throw CheckFailure("the assertion has no signature (0x03)") }
        do {
            authData = try AuthenticatorData(raw)
        } catch {
            throw CheckFailure("the assertion's authData does not parse: \(error)")
        }
        credentialID = reply[intKey: 1]?[textKey: "id"]?.bytesValue
        self.signature = signature
        user = reply[intKey: 4]
        numberOfCredentials = reply[intKey: 5]?.intValue
        self.reply = reply
    }

    /// Whether the signature verifies over authData ‖ clientDataHash with `publicKey`.
    public func verifies(publicKey: CBOR, clientDataHash: [UInt8]) -> Bool {
        (try? COSEKey.verify(signature: signature, message: authData.raw + clientDataHash, key: publicKey)) == true
    }
}

extension TestContext {
    /// SHA-256 of the suite's relying party id.
    public static var rpIDHash: [UInt8] { Array(SHA256.hash(data: Array(rpID.utf8))) }

    /// A getAssertion that must succeed; returns the assertion and the client data hash it signed.
    public func getAssertion(
        allow: [[UInt8]] = [], options: [CBOR: CBOR]? = nil, extensions: [CBOR: CBOR]? = nil, token: [UInt8]? = nil
    ) throws -> (Assertion, [UInt8]) {
        let request = getAssertionRequest(allow: allow, options: options, extensions: extensions, token: token)
        let reply = try client.send(.getAssertion, .map(request))
        return (try Assertion(reply.map("getAssertion")), request[2]!.bytesValue!)
    }
}
