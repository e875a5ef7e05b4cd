import Crypto
import Foundation
import KeyBridgeYKOATH
import KeyBridgePCSC

/// A YKOATH applet (the OATH application of a combined security key), answering the protocol
/// `ykman oath` speaks: SELECT, LIST, CALCULATE, CALCULATE ALL, PUT, DELETE, RENAME, SET CODE,
/// VALIDATE, RESET and SEND REMAINING, with password protection and touch-required accounts.
public final class VirtualOATHApplet: CardApplet, @unchecked Sendable {
    /// One account as the applet stores it.
    struct Account {
        var name: [UInt8]
        var type: UInt8
        var digits: UInt8
        var key: [UInt8]
        var touch: Bool
        var counter: UInt32
    }

    public let aid: [UInt8] = OATHSession.aid
    /// Reported applet version: 5.4.3 (RENAME needs 5.3.1, SHA-512 needs 4.3.1).
    public let version: [UInt8] = [5, 4, 3]
    /// Most accounts the applet holds.
    public var capacity: Int
    /// Decides whether a touch-required account may be computed (the user touched the key).
    public var touchProvider: @Sendable () -> Bool

    private let lock = NSLock()
    private var salt: [UInt8]
    private var accessKey: [UInt8]?
    private var unlocked = false
    private var selectChallenge: [UInt8] = []
    private var accounts: [Account] = []
    private var remaining: [UInt8] = []
    private var chained: [UInt8] = []
    private var malformNextReply = false

    public init(capacity: Int = 64, touchProvider: @escaping @Sendable () -> Bool = { true }) {
        self.capacity = capacity
        self.touchProvider = touchProvider
        salt = Self.random(8)
    }

    /// Makes the next reply a malformed TLV (for fault tests of clients).
    public func malformNextReplyOnce() { lock.withLock { malformNextReply = true } }

    /// Names of the stored accounts.
    public var accountNames: [String] { lock.withLock { accounts.map { String(decoding: $0.name, as: UTF8.self) } } }

    public func select() -> ResponseAPDU {
        lock.withLock {
            unlocked = accessKey == nil
            remaining = []
            chained = []
            var data = TLV(0x79, version).bytes + TLV(0x71, salt).bytes
            if accessKey != nil {
                selectChallenge = Self.random(8)
                data += TLV(0x74, selectChallenge).bytes + TLV(0x7B, [0x01]).bytes
            }
            return ResponseAPDU(data: data, sw1: 0x90, sw2: 0x00)
        }
    }

    public func deselect() {
        lock.withLock {
            unlocked = false
            remaining = []
            chained = []
        }
    }

    public func process(_ apdu: CommandAPDU) -> ResponseAPDU {
        lock.withLock {
            if apdu.ins == 0xA5 { return sendRemaining() }
            remaining = []
            if apdu.cla & 0x10 != 0 {
                chained += apdu.data
                return .ok
            }
            var command = apdu
            command.data = chained + apdu.data
            chained = []
            if malformNextReply && command.ins != 0xA4 {
                malformNextReply = false
                return ResponseAPDU(data: [0x71, 0xFF, 0x01], sw1: 0x90, sw2: 0x00)
            }
            let locked = accessKey != nil && !unlocked
            if locked && command.ins != 0xA3 && command.ins != 0x04 { return .status(0x6982) }
            switch command.ins {
            case 0x01: return put(command.data)
            case 0x02: return delete(command.data)
            case 0x03: return setCode(command.data)
            case 0x04: return command.p1 == 0xDE && command.p2 == 0xAD ? reset() : .status(0x6A86)
            case 0x05: return rename(command.data)
            case 0xA1: return paged(accounts.flatMap { TLV(0x72, [$0.type] + $0.name).bytes })
            case 0xA2: return calculate(command.data, truncated: command.p2 == 0x01)
            case 0xA3: return validate(command.data)
            case 0xA4: return calculateAll(command.data)
            default: return .status(0x6D00)
            }
        }
    }

    // MARK: Commands

    private func put(_ data: [UInt8]) -> ResponseAPDU {
        var offset = 0
        var name: [UInt8]?
        var keyField: [UInt8]?
        var touch = false
        var counter: UInt32 = 0
        while offset < data.count {
            let tag = data[offset]
            if tag == 0x78 {  // PROPERTY: tag and one byte, no length
                guard offset + 1 < data.count else { return .status(0x6A80) }
                touch = data[offset + 1] & 0x02 != 0
                offset += 2
                continue
            }
            guard offset + 1 < data.count else { return .status(0x6A80) }
            let length = Int(data[offset + 1])
            guard offset + 2 + length <= data.count else { return .status(0x6A80) }
            let value = Array(data[offset + 2..<offset + 2 + length])
            switch tag {
            case 0x71: name = value
            case 0x73: keyField = value
            case 0x7A:
                guard value.count == 4 else { return .status(0x6A80) }
                counter = value.reduce(0) { $0 << 8 | UInt32($1) }
            default: return .status(0x6A80)
            }
            offset += 2 + length
        }
        guard let name, (1...64).contains(name.count), let keyField, keyField.count >= 2 else { return .status(0x6A80) }
        let type = keyField[0]
        let digits = keyField[1]
        guard [0x10, 0x20].contains(type & 0xF0), (1...3).contains(type & 0x0F), (6...8).contains(digits) else {
            return .status(0x6A80)
        }
        let account = Account(name: name, type: type, digits: digits, key: Array(keyField.dropFirst(2)), touch: touch, counter: counter)
        if let index = accounts.firstIndex(where: { $0.name == name }) {
            accounts[index] = account
        } else {
            guard accounts.count < capacity else { return .status(0x6A84) }
            accounts.append(account)
        }
        return .ok
    }

    private func delete(_ data: [UInt8]) -> ResponseAPDU {
        guard let name = fields(data)?.first(where: { $0.tag == 0x71 })?.value else { return .status(0x6A80) }
        guard let index = accounts.firstIndex(where: { $0.name == name }) else { return .status(0x6984) }
        accounts.remove(at: index)
        return .ok
    }

    private func rename(_ data: [UInt8]) -> ResponseAPDU {
        guard let names = fields(data)?.filter({ $0.tag == 0x71 }), names.count == 2, (1...64).contains(names[1].value.count)
        else { return .status(0x6A80) }
        guard let index = accounts.firstIndex(where: { $0.name == names[0].value }) else { return .status(0x6984) }
        guard !accounts.contains(where: { $0.name == names[1].value }) else { return .status(0x6A80) }
        accounts[index].name = names[1].value
        return .ok
    }

    private func setCode(_ data: [UInt8]) -> ResponseAPDU {
        guard let items = fields(data), let key = items.first(where: { $0.tag == 0x73 })?.value else {
            return .status(0x6A80)
        }
        if key.isEmpty {
            accessKey = nil
            unlocked = true
            return .ok
        }
        guard key.count == 17, key[0] == 0x21,
            let challenge = items.first(where: { $0.tag == 0x74 })?.value,
            let proof = items.first(where: { $0.tag == 0x75 })?.value,
            proof == OTPAlgorithm.sha1.hmac(key: Array(key.dropFirst()), message: challenge)
        else { return .status(0x6A80) }
        accessKey = Array(key.dropFirst())
        unlocked = true
        return .ok
    }

    private func validate(_ data: [UInt8]) -> ResponseAPDU {
        guard let accessKey else { return .status(0x6984) }
        guard let items = fields(data), let response = items.first(where: { $0.tag == 0x75 })?.value,
            let hostChallenge = items.first(where: { $0.tag == 0x74 })?.value, !selectChallenge.isEmpty
        else { return .status(0x6A80) }
        let expected = OTPAlgorithm.sha1.hmac(key: accessKey, message: selectChallenge)
        guard response.count == expected.count, zip(response, expected).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            return .status(0x6A80)
        }
        unlocked = true
        selectChallenge = []
        return ResponseAPDU(
            data: TLV(0x75, OTPAlgorithm.sha1.hmac(key: accessKey, message: hostChallenge)).bytes, sw1: 0x90, sw2: 0x00)
    }

    private func reset() -> ResponseAPDU {
        accounts = []
        accessKey = nil
        unlocked = true
        salt = Self.random(8)
        return .ok
    }

    private func calculate(_ data: [UInt8], truncated: Bool) -> ResponseAPDU {
        guard let items = fields(data), let name = items.first(where: { $0.tag == 0x71 })?.value else {
            return .status(0x6A80)
        }
        guard let index = accounts.firstIndex(where: { $0.name == name }) else { return .status(0x6984) }
        let account = accounts[index]
        if account.touch && !touchProvider() { return .status(0x6985) }
        let challenge: [UInt8]
        if account.type & 0xF0 == 0x10 {
            challenge = (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(account.counter) >> (UInt64($0) * 8)) }
            accounts[index].counter &+= 1
        } else {
            challenge = items.first(where: { $0.tag == 0x74 })?.value ?? []
        }
        let mac = hmac(account, challenge)
        let value = truncated ? [account.digits] + dynamicTruncation(mac) : [account.digits] + mac
        return ResponseAPDU(data: TLV(truncated ? 0x76 : 0x75, value).bytes, sw1: 0x90, sw2: 0x00)
    }

    private func calculateAll(_ data: [UInt8]) -> ResponseAPDU {
        guard let challenge = fields(data)?.first(where: { $0.tag == 0x74 })?.value else { return .status(0x6A80) }
        var out: [UInt8] = []
        for account in accounts {
            out += TLV(0x71, account.name).bytes
            if account.type & 0xF0 == 0x10 {
                out += TLV(0x77, [account.digits]).bytes
            } else if account.touch {
                out += TLV(0x7C, [account.digits]).bytes
            } else {
                out += TLV(0x76, [account.digits] + dynamicTruncation(hmac(account, challenge))).bytes
            }
        }
        return paged(out)
    }

    // MARK: Helpers

    /// Sends at most 256 bytes now and keeps the rest for SEND REMAINING (`61 xx`).
    private func paged(_ data: [UInt8]) -> ResponseAPDU {
        guard data.count > 256 else { return ResponseAPDU(data: data, sw1: 0x90, sw2: 0x00) }
        remaining = Array(data.dropFirst(256))
        return ResponseAPDU(data: Array(data.prefix(256)), sw1: 0x61, sw2: UInt8(min(remaining.count, 0xFF)))
    }

    private func sendRemaining() -> ResponseAPDU {
        guard !remaining.isEmpty else { return .status(0x6985) }
        let data = remaining
        remaining = []
        return paged(data)
    }

    private func hmac(_ account: Account, _ challenge: [UInt8]) -> [UInt8] {
        let algorithm: OTPAlgorithm = switch account.type & 0x0F {
        case 0x02: .sha256
        case 0x03: .sha512
        default: .sha1
        }
        return algorithm.hmac(key: account.key, message: challenge)
    }

    private func dynamicTruncation(_ mac: [UInt8]) -> [UInt8] {
        let offset = Int(mac[mac.count - 1] & 0x0F)
        return [mac[offset] & 0x7F, mac[offset + 1], mac[offset + 2], mac[offset + 3]]
    }

    private func fields(_ data: [UInt8]) -> [TLV]? { try? TLV.parse(data) }

    private static func random(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
