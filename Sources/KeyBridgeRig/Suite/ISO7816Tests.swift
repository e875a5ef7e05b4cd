import KeyBridgeCBOR
import KeyBridgePCSC

/// CTAP over ISO 7816-4 (CTAP 2.1 §11.3): SELECT, chaining, GET RESPONSE, extended APDUs.
enum ISO7816Tests {
    static func card(_ c: TestContext) throws -> ISO7816Connection {
        try c.require(transport: .nfc)
        guard let link = c.link as? NFCLink else { throw SkipTest("not an ISO 7816 link") }
        return link.connection
    }

    /// A makeCredential request over 255 bytes: an excludeList of unknown ids.
    static func longRequest(_ c: TestContext) -> [UInt8] {
        let exclude = (0..<6).map { n in [UInt8](repeating: UInt8(n), count: 64) }
        return [CTAP2Command.makeCredential.rawValue] + CBOREncoder.encode(.map(c.makeCredentialRequest(exclude: exclude)))
    }

    static let all: [ConformanceTest] = [
        ConformanceTest("iso7816.select", "SELECT of the FIDO AID answers FIDO_2_0 or U2F_V2 with 90 00", section: "11.3.3", tags: ["transport", "iso7816"]) { c in
            let card = try card(c)
            let reply = try card.exchange(CommandAPDU(cla: 0x00, ins: 0xA4, p1: 0x04, p2: 0x00, data: ISO7816Connection.fidoAID))
            let version = String(decoding: reply.data, as: UTF8.self)
            c.observe("SELECT: \(version) \(String(format: "%04X", reply.statusWord))")
            try c.check(reply.statusWord == 0x9000 && ["FIDO_2_0", "U2F_V2"].contains(version), "SELECT answered \(version) \(String(format: "%04X", reply.statusWord))")
        },
        ConformanceTest("iso7816.chaining", "a request over 255 bytes in chained short APDUs", section: "11.3.5", tags: ["transport", "iso7816"]) { c in
            let card = try card(c)
            try c.freshKey()
            card.preferExtended = false
            let reply = CTAPReply(try card.ctap(longRequest(c), timeout: 30))
            try c.expect(reply, .ok, "makeCredential of \(longRequest(c).count) bytes, chained")
        },
        ConformanceTest("iso7816.getResponse", "a reply over 256 bytes comes in 61 xx pieces fetched with GET RESPONSE", section: "11.3.5", tags: ["transport", "iso7816"]) { c in
            let card = try card(c)
            try c.freshKey()
            let request = [CTAP2Command.makeCredential.rawValue] + CBOREncoder.encode(.map(c.makeCredentialRequest()))
            var reply = try card.transmit(CommandAPDU(cla: 0x80, ins: 0x10, p1: 0x00, p2: 0x00, data: request).shortEncoding)
            var data = reply.data
            var pieces = 1
            while reply.sw1 == 0x61 {
                reply = try card.transmit([0x00, 0xC0, 0x00, 0x00, reply.sw2])
                data += reply.data
                pieces += 1
            }
            c.observe("\(data.count) bytes in \(pieces) piece(s)")
            try c.check(reply.statusWord == 0x9000, String(format: "the last piece ended %04X", reply.statusWord))
            try c.check(data.count <= 256 || pieces > 1, "a reply of \(data.count) bytes came in one short APDU")
            try c.expect(CTAPReply(data), .ok, "the reassembled makeCredential reply")
        },
        ConformanceTest("iso7816.extended", "a request over 255 bytes as one extended APDU, where the card takes them", section: "11.3.5", tags: ["transport", "iso7816"]) { c in
            let card = try card(c)
            try c.freshKey()
            let request = longRequest(c)
            let probe = try card.transmit(CommandAPDU(cla: 0x80, ins: 0x10, p1: 0x00, p2: 0x00, data: request).extendedEncoding)
            if probe.statusWord == 0x6700 { throw SkipTest("the card takes short APDUs only (67 00)") }
            var data = probe.data
            var reply = probe
            while reply.sw1 == 0x61 {
                reply = try card.transmit([0x00, 0xC0, 0x00, 0x00, reply.sw2])
                data += reply.data
            }
            try c.check(reply.statusWord == 0x9000, String(format: "the extended APDU ended %04X", reply.statusWord))
            try c.expect(CTAPReply(data), .ok, "makeCredential in one extended APDU")
        },
        ConformanceTest("iso7816.unknownInstruction", "an unknown instruction is 6D 00", section: "11.3", tags: ["transport", "iso7816"]) { c in
            let card = try card(c)
            let reply = try card.transmit([0x80, 0x7E, 0x00, 0x00])
            try c.check(reply.statusWord == 0x6D00, String(format: "INS 7E answered %04X, not 6D00", reply.statusWord))
        },
    ]
}
