import Crypto
import Foundation

extension VirtualAuthenticator {
    /// Handles a CTAP1/U2F APDU (short or extended form) and returns data + SW (FIDO U2F raw
    /// messages): REGISTER, AUTHENTICATE (check-only, enforce and don't-enforce presence), VERSION.
    /// U2F credentials live with the CTAP2 ones, so CTAP2 getAssertion can use them too.
    public func handleU2F(apdu: [UInt8]) -> [UInt8] {
        commandLock.lock()
        defer { commandLock.unlock() }
        guard configuration.u2f else { return [0x6D, 0x00] }
        guard let (cla, ins, p1, data) = Self.parseAPDU(apdu) else { return [0x67, 0x00] }
        guard cla == 0x00 else { return [0x6E, 0x00] }
        switch ins {
        case 0x01: return register(data)
        case 0x02: return authenticate(p1, data)
        case 0x03: return data.isEmpty ? Array("U2F_V2".utf8) + [0x90, 0x00] : [0x67, 0x00]
        default: return [0x6D, 0x00]
        }
    }

    private func register(_ data: [UInt8]) -> [UInt8] {
        guard data.count == 64 else { return [0x67, 0x00] }
        guard presence.presenceAvailableNow() else { return [0x69, 0x85] }
        let challenge = Array(data[0..<32])
        let application = Array(data[32..<64])
        let key = P256.Signing.PrivateKey()
        let publicKey = Array(key.publicKey.x963Representation)
        let credential = StoredCredential(
            id: Self.randomBytes(64), rpIDHash: application, rpID: nil, rpName: nil, userID: [], userName: nil,
            userDisplayName: nil, alg: -7, privateKey: Array(key.rawRepresentation), discoverable: false,
            credProtect: 1, hmacSecretWithoutUV: nil, hmacSecretWithUV: nil, credBlob: nil, created: Date())
        stateLock.withLock {
            state.credentials.append(credential)
            persist()
        }
        let signed = [0x00] + application + challenge + credential.id + publicKey
        let attestationKey = try! P256.Signing.PrivateKey(rawRepresentation: state.attestationLeafKey)
        let signature = Array(try! attestationKey.signature(for: signed).derRepresentation)
        return [0x05] + publicKey + [UInt8(credential.id.count)] + credential.id + state.attestationLeafDER + signature
            + [0x90, 0x00]
    }

    private func authenticate(_ control: UInt8, _ data: [UInt8]) -> [UInt8] {
        guard data.count >= 65 else { return [0x67, 0x00] }
        let challenge = Array(data[0..<32])
        let application = Array(data[32..<64])
        let handleLength = Int(data[64])
        guard data.count == 65 + handleLength else { return [0x67, 0x00] }
        let handle = Array(data[65...])
        guard let credential = stateLock.withLock({ state.credentials.first { $0.id == handle && $0.rpIDHash == application } }),
            credential.alg == -7, let key = try? P256.Signing.PrivateKey(rawRepresentation: credential.privateKey)
        else { return [0x6A, 0x80] }
        switch control {
        case 0x07: return [0x69, 0x85]  // check-only: the handle is ours
        case 0x03, 0x08: break
        default: return [0x6A, 0x80]
        }
        var flags: UInt8 = 0
        if control == 0x03 {
            guard presence.presenceAvailableNow() else { return [0x69, 0x85] }
            flags = 0x01
        }
        let counter = stateLock.withLock { nextSignCount() }
        let signed = application + [flags] + bigEndian(counter) + challenge
        return [flags] + bigEndian(counter) + Array(try! key.signature(for: signed).derRepresentation) + [0x90, 0x00]
    }

    /// (CLA, INS, P1, data) of a short or extended APDU.
    static func parseAPDU(_ apdu: [UInt8]) -> (UInt8, UInt8, UInt8, [UInt8])? {
        guard apdu.count >= 4 else { return nil }
        let body = Array(apdu[4...])
        if body.isEmpty { return (apdu[0], apdu[1], apdu[2], []) }
        if body[0] == 0 && body.count >= 3 {
            let length = Int(body[1]) << 8 | Int(body[2])
            if body.count == 3 { return (apdu[0], apdu[1], apdu[2], []) }
            guard body.count >= 3 + length else { return nil }
            return (apdu[0], apdu[1], apdu[2], Array(body[3..<3 + length]))
        }
        let length = Int(body[0])
        if body.count == 1 { return (apdu[0], apdu[1], apdu[2], []) }
        guard body.count >= 1 + length else { return nil }
        return (apdu[0], apdu[1], apdu[2], Array(body[1..<1 + length]))
    }
}
