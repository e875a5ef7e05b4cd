import Crypto
import KeyBridgePCSC
import KeyBridgeWebAuthn

/// CTAP1/U2F compatibility (CTAP 2.1 §11 and the U2F raw message formats), where getInfo lists U2F_V2.
enum U2FTests {
    static func require(_ c: TestContext) throws {
        guard c.info.versions.contains("U2F_V2") else { throw SkipTest("getInfo versions has no U2F_V2") }
    }

    static func send(_ c: TestContext, ins: UInt8, p1: UInt8, data: [UInt8]) throws -> ResponseAPDU {
        let raw = try c.link.u2f(CommandAPDU(cla: 0x00, ins: ins, p1: p1, p2: 0x00, data: data).extendedEncoding, timeout: 30)
        guard let reply = ResponseAPDU(raw) else { throw CheckFailure("a U2F reply shorter than a status word") }
        return reply
    }

    static let appParameter = TestContext.rpIDHash

    /// REGISTER: the key handle and public key, after checking the registration signature.
    static func register(_ c: TestContext) throws -> (keyHandle: [UInt8], publicKey: [UInt8]) {
        let challenge = TestContext.hash("u2f register")
        let reply = try send(c, ins: 0x01, p1: 0x03, data: challenge + appParameter)
        try c.check(reply.statusWord == 0x9000, String(format: "REGISTER answered %04X", reply.statusWord))
        let d = reply.data
        try c.check(d.count > 67 && d[0] == 0x05, "REGISTER reply does not start with 05")
        let publicKey = Array(d[1..<66])
        let handleLength = Int(d[66])
        let handle = Array(d[67..<(67 + handleLength)])
        var offset = 67 + handleLength
        try c.check(d.count > offset + 4 && d[offset] == 0x30 && d[offset + 1] == 0x82, "the attestation certificate is not a DER SEQUENCE")
        let certificateLength = 4 + (Int(d[offset + 2]) << 8 | Int(d[offset + 3]))
        let certificate = Array(d[offset..<(offset + certificateLength)])
        offset += certificateLength
        let signature = Array(d[offset...])
        let signed = [0x00] + appParameter + challenge + handle + publicKey
        let verified = (try? WebAuthnVerifier.verify(signature: signature, over: signed, certificate: certificate, algorithm: -7)) == true
        try c.check(verified, "the REGISTER signature does not verify with the attestation certificate")
        return (handle, publicKey)
    }

    static let all: [ConformanceTest] = [
        ConformanceTest("u2f.version", "U2F_VERSION answers U2F_V2", section: "11.1", tags: ["u2f"]) { c in
            try require(c)
            let reply = try send(c, ins: 0x03, p1: 0x00, data: [])
            try c.check(reply.statusWord == 0x9000 && reply.data == Array("U2F_V2".utf8), "U2F_VERSION answered \(String(decoding: reply.data, as: UTF8.self)) \(String(format: "%04X", reply.statusWord))")
        },
        ConformanceTest("u2f.registerAndAuthenticate", "REGISTER and AUTHENTICATE sign verifiably; check-only answers 69 85, a foreign handle 6A 80", section: "11.1", tags: ["u2f"]) { c in
            try require(c)
            let (handle, publicKey) = try register(c)
            let challenge = TestContext.hash("u2f authenticate")
            let check = try send(c, ins: 0x02, p1: 0x07, data: challenge + appParameter + [UInt8(handle.count)] + handle)
            try c.check(check.statusWord == 0x6985, String(format: "check-only with its own handle answered %04X, not 6985", check.statusWord))
            var foreign = handle
            foreign[foreign.count / 2] ^= 0xFF
            let wrong = try send(c, ins: 0x02, p1: 0x03, data: challenge + appParameter + [UInt8(foreign.count)] + foreign)
            try c.check(wrong.statusWord == 0x6A80, String(format: "a foreign key handle answered %04X, not 6A80", wrong.statusWord))
            let reply = try send(c, ins: 0x02, p1: 0x03, data: challenge + appParameter + [UInt8(handle.count)] + handle)
            try c.check(reply.statusWord == 0x9000 && reply.data.count > 5, String(format: "AUTHENTICATE answered %04X", reply.statusWord))
            try c.check(reply.data[0] & 0x01 == 1, "AUTHENTICATE (enforce presence) did not set the presence bit")
            let signed = appParameter + Array(reply.data[0..<5]) + challenge
            let key = try P256.Signing.PublicKey(x963Representation: publicKey)
            let signature = try P256.Signing.ECDSASignature(derRepresentation: Array(reply.data[5...]))
            try c.check(key.isValidSignature(signature, for: signed), "the AUTHENTICATE signature does not verify with the registered key")
        },
    ]
}
