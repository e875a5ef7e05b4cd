import Crypto
import Foundation
import KeyBridgePCSC
import _CryptoExtras

/// A YKOATH session with the OATH applet on a card (the protocol `ykman oath` speaks).
///
/// The session selects the applet on creation; a password-protected applet must be unlocked
/// with ``unlock(password:)`` before anything but ``reset()``.
public final class OATHSession: @unchecked Sendable {
    public static let aid: [UInt8] = [0xA0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01]

    private let card: any APDUTransmitting
    /// Applet version (e.g. 5.4.3).
    public private(set) var version: [UInt8] = []
    /// The applet's salt (its identity; changes on reset).
    public private(set) var salt: [UInt8] = []
    private var challenge: [UInt8]?
    /// Whether a password is set and the session is not unlocked yet.
    public private(set) var isLocked = false

    /// Selects the applet on `card`.
    public init(card: any APDUTransmitting) throws(OATHError) {
        self.card = card
        try select()
    }

    /// ykman's device id: base64 (no padding) of the first 16 bytes of SHA-256(salt).
    public var deviceID: String {
        Data(SHA256.hash(data: salt).prefix(16)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// Whether the applet has a password.
    public var hasPassword: Bool { challenge != nil }

    private func select() throws(OATHError) {
        let reply: [UInt8]
        do {
            reply = try send(ins: 0xA4, p1: 0x04, p2: 0x00, data: Self.aid)
        } catch .status(let sw) where sw == 0x6A82 || sw == 0x6D00 {
            throw .noOATHApplet
        }
        let fields = try TLV.parse(reply)
        version = fields.first { $0.tag == OATHTag.version }?.value ?? []
        guard let name = fields.first(where: { $0.tag == OATHTag.name })?.value else {
            throw .malformedResponse("SELECT reply without a salt")
        }
        salt = name
        challenge = fields.first { $0.tag == OATHTag.challenge }?.value
        isLocked = challenge != nil
    }

    // MARK: Password

    /// The 16-byte access key for `password`: PBKDF2-HMAC-SHA1(password, salt, 1000 rounds).
    public func deriveKey(password: String) -> [UInt8] { deriveKey(password: password, salt: salt) }

    /// The access key for `password` under an explicit `salt`.
    public func deriveKey(password: String, salt: [UInt8]) -> [UInt8] {
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .insecureSHA1, outputByteCount: 16,
            unsafeUncheckedRounds: 1000)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Unlocks a password-protected applet (VALIDATE, mutual HMAC-SHA1 challenge).
    public func unlock(password: String) throws(OATHError) { try unlock(key: deriveKey(password: password)) }

    /// Unlocks with an access key.
    public func unlock(key: [UInt8]) throws(OATHError) {
        guard let challenge else { return }
        let response = OTPAlgorithm.sha1.hmac(key: key, message: challenge)
        let ours = Self.randomBytes(8)
        let reply: [UInt8]
        do {
            reply = try send(
                ins: 0xA3, data: TLV(OATHTag.response, response).bytes + TLV(OATHTag.challenge, ours).bytes)
        } catch .status(0x6A80) {
            throw .wrongPassword
        }
        let expected = OTPAlgorithm.sha1.hmac(key: key, message: ours)
        guard let theirs = try TLV.parse(reply).first(where: { $0.tag == OATHTag.response })?.value,
            theirs.count == expected.count, zip(theirs, expected).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0
        else { throw .wrongPassword }
        isLocked = false
    }

    /// Sets (or replaces) the applet password.
    public func setPassword(_ password: String) throws(OATHError) {
        let key = deriveKey(password: password)
        let challenge = Self.randomBytes(8)
        let proof = OTPAlgorithm.sha1.hmac(key: key, message: challenge)
        _ = try send(
            ins: 0x03,
            data: TLV(OATHTag.key, [0x21] + key).bytes + TLV(OATHTag.challenge, challenge).bytes
                + TLV(OATHTag.response, proof).bytes)
        self.challenge = challenge
    }

    /// Removes the applet password.
    public func clearPassword() throws(OATHError) {
        _ = try send(ins: 0x03, data: TLV(OATHTag.key, []).bytes)
        challenge = nil
    }

    /// Erases every account and the password; the applet gets a new salt.
    public func reset() throws(OATHError) {
        _ = try send(ins: 0x04, p1: 0xDE, p2: 0xAD)
        try select()
    }

    // MARK: Accounts

    /// Every account on the card.
    public func list() throws(OATHError) -> [OATHCredential] {
        var credentials: [OATHCredential] = []
        for item in try TLV.parse(try send(ins: 0xA1)) where item.tag == OATHTag.nameList {
            guard let type = item.value.first else { throw .malformedResponse("an empty name-list entry") }
            credentials.append(
                OATHCredential(
                    name: String(decoding: item.value.dropFirst(), as: UTF8.self), kind: try Self.kind(type),
                    algorithm: try Self.algorithm(type)))
        }
        return credentials
    }

    /// Adds (or overwrites) an account from an otpauth:// URI.
    public func put(_ uri: OTPAuthURI, touchRequired: Bool = false) throws(OATHError) {
        let credential = OATHCredential(
            issuer: uri.issuer, account: uri.account, kind: uri.kind == .hotp ? .hotp : .totp,
            algorithm: uri.algorithm, period: uri.period)
        let name = Array(credential.name.utf8)
        guard (1...64).contains(name.count) else {
            throw .invalidCredential("the name \"\(credential.name)\" must be 1 to 64 bytes")
        }
        guard (6...8).contains(uri.digits) else { throw .invalidCredential("digits must be 6 to 8") }
        var key = uri.secret
        if key.count > uri.algorithm.blockSize {
            switch uri.algorithm {
            case .sha1: key = Array(Insecure.SHA1.hash(data: key))
            case .sha256: key = Array(SHA256.hash(data: key))
            case .sha512: key = Array(SHA512.hash(data: key))
            }
        }
        if key.count < 14 { key += [UInt8](repeating: 0, count: 14 - key.count) }
        let typeByte = credential.kind.typeBits | Self.algorithmBits(uri.algorithm)
        var data = TLV(OATHTag.name, name).bytes + TLV(OATHTag.key, [typeByte, UInt8(uri.digits)] + key).bytes
        if touchRequired { data += [OATHTag.property, 0x02] }
        if uri.kind == .hotp && uri.counter > 0 {
            let counter = UInt32(truncatingIfNeeded: uri.counter)
            data += TLV(OATHTag.imf, [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: counter >> $0) }).bytes
        }
        do {
            _ = try send(ins: 0x01, data: data)
        } catch .status(0x6A84) {
            throw .noSpace
        }
    }

    /// Deletes an account by its card name.
    public func delete(name: String) throws(OATHError) {
        do {
            _ = try send(ins: 0x02, data: TLV(OATHTag.name, Array(name.utf8)).bytes)
        } catch .status(0x6984) {
            throw .noSuchCredential(name)
        }
    }

    /// Renames an account (applet 5.3.1 and later).
    public func rename(name: String, to newName: String) throws(OATHError) {
        guard version.lexicographicallyPrecedes([5, 3, 1]) == false else {
            throw .invalidCredential("this applet (version \(version.map(String.init).joined(separator: "."))) cannot rename; RENAME needs 5.3.1")
        }
        guard (1...64).contains(newName.utf8.count) else { throw .invalidCredential("a name must be 1 to 64 bytes") }
        do {
            _ = try send(
                ins: 0x05, data: TLV(OATHTag.name, Array(name.utf8)).bytes + TLV(OATHTag.name, Array(newName.utf8)).bytes)
        } catch .status(0x6984) {
            throw .noSuchCredential(name)
        }
    }

    /// Computes the code of one account at `time` (HOTP advances the card's counter).
    public func calculate(_ credential: OATHCredential, at time: Date = Date()) throws(OATHError) -> String {
        let challenge: [UInt8] = credential.kind == .totp
            ? Self.bigEndian(OTPGenerator.timeStep(time, period: credential.period)) : []
        let reply: [UInt8]
        do {
            reply = try send(
                ins: 0xA2, p2: 0x01,
                data: TLV(OATHTag.name, Array(credential.name.utf8)).bytes + TLV(OATHTag.challenge, challenge).bytes)
        } catch .status(0x6984) {
            throw .noSuchCredential(credential.name)
        }
        guard let item = try TLV.parse(reply).first(where: { $0.tag == OATHTag.truncated }) else {
            throw .malformedResponse("CALCULATE reply without a truncated code")
        }
        return try Self.code(from: item.value)
    }

    /// Computes every TOTP code at `time` in one exchange; HOTP and touch accounts are reported
    /// as such, not computed. TOTP accounts with a period other than 30 are recomputed one by one.
    public func calculateAll(at time: Date = Date()) throws(OATHError) -> [(OATHCredential, OATHCode)] {
        let reply = try send(
            ins: 0xA4, p1: 0x00, p2: 0x01,
            data: TLV(OATHTag.challenge, Self.bigEndian(OTPGenerator.timeStep(time, period: 30))).bytes)
        let items = try TLV.parse(reply)
        guard items.count % 2 == 0 else { throw .malformedResponse("CALCULATE ALL reply has an odd number of fields") }
        var results: [(OATHCredential, OATHCode)] = []
        for index in stride(from: 0, to: items.count, by: 2) {
            let nameItem = items[index]
            let answer = items[index + 1]
            guard nameItem.tag == OATHTag.name else { throw .malformedResponse("CALCULATE ALL entry without a name") }
            let name = String(decoding: nameItem.value, as: UTF8.self)
            switch answer.tag {
            case OATHTag.hotp:
                results.append((OATHCredential(name: name, kind: .hotp, algorithm: .sha1), .hotpNotComputed))
            case OATHTag.touch:
                var credential = OATHCredential(name: name, kind: .totp, algorithm: .sha1)
                credential.touchRequired = true
                results.append((credential, .touchRequired))
            case OATHTag.truncated:
                var credential = OATHCredential(name: name, kind: .totp, algorithm: .sha1)
                credential.touchRequired = false
                let code = credential.period == 30
                    ? try Self.code(from: answer.value) : try calculate(credential, at: time)
                results.append((credential, .value(code)))
            default:
                throw .malformedResponse("unexpected tag 0x\(String(answer.tag, radix: 16)) in CALCULATE ALL")
            }
        }
        return results
    }

    // MARK: APDUs

    /// Sends one YKOATH command, following `61 xx` with SEND REMAINING, and maps status words.
    func send(ins: UInt8, p1: UInt8 = 0, p2: UInt8 = 0, data: [UInt8] = []) throws(OATHError) -> [UInt8] {
        let apdu = CommandAPDU(cla: 0x00, ins: ins, p1: p1, p2: p2, data: data)
        var reply = try transmitChained(apdu)
        var collected = reply.data
        while reply.sw1 == 0x61 {
            reply = try transmit([0x00, 0xA5, 0x00, 0x00, 0x00])
            collected += reply.data
        }
        switch reply.statusWord {
        case 0x9000: return collected
        case 0x6982: throw .authenticationRequired
        default: throw .status(reply.statusWord)
        }
    }

    private func transmitChained(_ apdu: CommandAPDU) throws(OATHError) -> ResponseAPDU {
        let pieces = apdu.chainedShortEncodings(pieceSize: 255)
        for piece in pieces.dropLast() {
            let reply = try transmit(piece)
            guard reply.statusWord == 0x9000 else { return reply }
        }
        return try transmit(pieces.last!)
    }

    private func transmit(_ bytes: [UInt8]) throws(OATHError) -> ResponseAPDU {
        do {
            guard let reply = ResponseAPDU(try card.transmit(bytes)) else {
                throw OATHError.malformedResponse("a reply shorter than a status word")
            }
            return reply
        } catch let error as PCSCError {
            throw .pcsc(error)
        } catch let error as OATHError {
            throw error
        } catch {
            throw .malformedResponse("\(error)")
        }
    }

    static func code(from value: [UInt8]) throws(OATHError) -> String {
        guard value.count == 5 else { throw .malformedResponse("a truncated code must be 5 bytes, got \(value.count)") }
        let digits = Int(value[0])
        guard (6...8).contains(digits) else { throw .malformedResponse("a code of \(digits) digits") }
        let truncated = value[1...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return OTPGenerator.format(truncated, digits: digits)
    }

    static func kind(_ type: UInt8) throws(OATHError) -> OATHKind {
        switch type & 0xF0 {
        case 0x10: return .hotp
        case 0x20: return .totp
        default: throw .malformedResponse("unknown OATH type 0x\(String(type, radix: 16))")
        }
    }

    static func algorithm(_ type: UInt8) throws(OATHError) -> OTPAlgorithm {
        switch type & 0x0F {
        case 0x01: return .sha1
        case 0x02: return .sha256
        case 0x03: return .sha512
        default: throw .malformedResponse("unknown OATH algorithm 0x\(String(type, radix: 16))")
        }
    }

    static func algorithmBits(_ algorithm: OTPAlgorithm) -> UInt8 {
        switch algorithm {
        case .sha1: 0x01
        case .sha256: 0x02
        case .sha512: 0x03
        }
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> (UInt64($0) * 8)) }
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
