import Foundation
import KeyBridgeCBOR

/// CTAP2 command bytes (CTAP 2.1 §6).
public enum CTAP2Command: UInt8, Sendable {
    case makeCredential = 0x01
    case getAssertion = 0x02
    case getInfo = 0x04
    case clientPIN = 0x06
    case reset = 0x07
    case getNextAssertion = 0x08
    case credentialManagement = 0x0A
    case selection = 0x0B
    case largeBlobs = 0x0C
    case config = 0x0D
}

/// One CTAP2 reply: the status and the raw CBOR after it (kept byte for byte so the suite can
/// check that it is canonical).
public struct CTAPReply: Sendable {
    public var status: CTAPStatusCode
    public var body: [UInt8]

    public init(_ bytes: [UInt8]) {
        status = CTAPStatusCode(rawValue: bytes.first ?? 0x7F)
        body = Array(bytes.dropFirst())
    }

    /// The body decoded by the strict (canonical) decoder; nil when empty.
    public func strictCBOR() throws(CheckFailure) -> CBOR? {
        guard !body.isEmpty else { return nil }
        do {
            return try CBORDecoder(strict: true).decode(body)
        } catch {
            if (try? CBORDecoder(strict: false).decode(body)) != nil {
                throw CheckFailure("the reply is valid CBOR but not canonical CTAP2 CBOR (§8): \(error)")
            }
            throw CheckFailure("the reply is not CBOR that CTAP2 allows (definite lengths, no floats): \(error)")
        }
    }

    /// The body as a map, failing the test when it is missing, not a map or (when `strict`, the
    /// default) not canonical. `strict: false` reads what a key can do even when its encoding is
    /// wrong; the getInfo tests judge the encoding.
    public func map(_ what: String, strict: Bool = true) throws(CheckFailure) -> CBOR {
        guard status == .ok else { throw CheckFailure("\(what) failed with \(status)") }
        let decoded = strict ? try strictCBOR() : try? CBORDecoder(strict: false).decode(body)
        guard let item = decoded, item.mapValue != nil else {
            throw CheckFailure("\(what) answered CTAP2_OK without a CBOR map")
        }
        return item
    }
}

/// Sends CTAP2 requests over a link, and builds the common ones.
public final class CTAP2Client: @unchecked Sendable {
    public let link: any CTAPLink
    /// How long one request may take, touches included.
    public var timeout: TimeInterval

    public init(link: any CTAPLink, timeout: TimeInterval = 30) {
        self.link = link
        self.timeout = timeout
    }

    /// Sends `command` with `parameters` (a CBOR map, canonically encoded).
    public func send(_ command: CTAP2Command, _ parameters: CBOR? = nil) throws(RigError) -> CTAPReply {
        try sendRaw([command.rawValue] + (parameters.map { CBOREncoder.encode($0) } ?? []))
    }

    /// Sends raw bytes: command byte and whatever follows (possibly malformed on purpose).
    public func sendRaw(_ request: [UInt8]) throws(RigError) -> CTAPReply {
        CTAPReply(try link.ctap2(request, timeout: timeout))
    }

    // MARK: clientPIN (§6.5.5)

    /// The authenticator's key agreement key for `pinProtocol`.
    public func keyAgreement(_ pinProtocol: PinUvAuthProtocol) throws -> CBOR {
        let reply = try send(.clientPIN, [1: .int(pinProtocol.version), 2: 2])
        guard let key = try reply.map("clientPIN getKeyAgreement")[intKey: 1] else {
            throw CheckFailure("getKeyAgreement answered without keyAgreement (0x01)")
        }
        return key
    }

    /// A fresh shared secret with the authenticator.
    public func agree(_ pinProtocol: PinUvAuthProtocol) throws -> PinUvAuthProtocol.Agreement {
        guard let agreement = pinProtocol.encapsulate(authenticatorKey: try keyAgreement(pinProtocol)) else {
            throw CheckFailure("the key agreement key is not a P-256 point")
        }
        return agreement
    }

    /// setPIN (0x03).
    public func setPIN(_ pin: String, _ pinProtocol: PinUvAuthProtocol) throws -> CTAPReply {
        let agreement = try agree(pinProtocol)
        let newPinEnc = pinProtocol.encrypt(agreement.sharedSecret, PinUvAuthProtocol.paddedPIN(pin))
        let auth = pinProtocol.authenticate(secret: agreement.sharedSecret, newPinEnc)
        return try send(
            .clientPIN,
            [1: .int(pinProtocol.version), 2: 3, 3: agreement.platformKey, 4: .bytes(auth), 5: .bytes(newPinEnc)])
    }

    /// changePIN (0x04); `tamper` spoils pinUvAuthParam to test PIN_AUTH_INVALID.
    public func changePIN(
        from old: String, to new: String, _ pinProtocol: PinUvAuthProtocol, tamper: Bool = false
    ) throws -> CTAPReply {
        let agreement = try agree(pinProtocol)
        let newPinEnc = pinProtocol.encrypt(agreement.sharedSecret, PinUvAuthProtocol.paddedPIN(new))
        let hashEnc = pinProtocol.encrypt(agreement.sharedSecret, PinUvAuthProtocol.pinHash(old))
        var auth = pinProtocol.authenticate(secret: agreement.sharedSecret, newPinEnc + hashEnc)
        if tamper { auth[0] ^= 0xFF }
        return try send(
            .clientPIN,
            [
                1: .int(pinProtocol.version), 2: 4, 3: agreement.platformKey, 4: .bytes(auth), 5: .bytes(newPinEnc),
                6: .bytes(hashEnc),
            ])
    }

    /// getPinToken (0x05) or, with `permissions`, getPinUvAuthTokenUsingPinWithPermissions (0x09).
    /// Returns the reply and the decrypted token when it succeeded.
    public func pinToken(
        _ pin: String, _ pinProtocol: PinUvAuthProtocol, permissions: UInt8? = nil, rpID: String? = nil
    ) throws -> (reply: CTAPReply, token: [UInt8]?) {
        let agreement = try agree(pinProtocol)
        let hashEnc = pinProtocol.encrypt(agreement.sharedSecret, PinUvAuthProtocol.pinHash(pin))
        var request: [CBOR: CBOR] = [
            1: .int(pinProtocol.version), 2: permissions == nil ? 5 : 9, 3: agreement.platformKey, 6: .bytes(hashEnc),
        ]
        if let permissions { request[9] = .int(Int(permissions)) }
        if let rpID { request[10] = .text(rpID) }
        let reply = try send(.clientPIN, .map(request))
        guard reply.status == .ok else { return (reply, nil) }
        guard let encrypted = try reply.map("getPinToken")[intKey: 2]?.bytesValue,
            let token = pinProtocol.decrypt(agreement.sharedSecret, encrypted)
        else { throw CheckFailure("the PIN token reply has no pinUvAuthToken (0x02) that decrypts") }
        return (reply, token)
    }

    /// getPINRetries (0x01): the retries left.
    public func pinRetries(_ pinProtocol: PinUvAuthProtocol) throws -> Int {
        let reply = try send(.clientPIN, [1: .int(pinProtocol.version), 2: 1])
        guard let retries = try reply.map("getPINRetries")[intKey: 3]?.intValue else {
            throw CheckFailure("getPINRetries answered without pinRetries (0x03) as an integer")
        }
        return retries
    }
}
