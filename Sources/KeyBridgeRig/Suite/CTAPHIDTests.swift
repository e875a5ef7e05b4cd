import Foundation
import KeyBridgeCBOR

/// CTAPHID framing (CTAP 2.1 §11.2). Each test uses its own channels on the key's report pipe.
enum CTAPHIDTests {
    static func hid(_ c: TestContext) throws -> CTAPHIDConnection {
        try c.require(transport: .hid)
        guard let link = c.link as? HIDLink else { throw SkipTest("not a CTAPHID link") }
        link.connection.pipe.drain()
        return link.connection
    }

    static func expectError(_ c: TestContext, _ message: CTAPHIDMessage?, _ code: CTAPHID.ErrorCode, _ what: String) throws {
        guard let message else { throw CheckFailure("\(what): no reply (expected CTAPHID_ERROR \(code))") }
        c.observe(String(format: "%@: command %02x payload %@", what, message.command, message.payload.prefix(1).map { String(format: "%02x", $0) }.joined()))
        try c.check(message.errorCode == code.rawValue, String(format: "%@: expected CTAPHID_ERROR %02x, got command %02x %@", what, code.rawValue, message.command, message.payload.prefix(1).map { String(format: "%02x", $0) }.joined()))
    }

    static let all: [ConformanceTest] = [
        ConformanceTest("ctaphid.init", "INIT echoes the nonce, allocates distinct channels, and says CBOR", section: "11.2.9.1.3", tags: ["transport", "ctaphid"]) { c in
            let hid = try hid(c)
            let nonce = CTAPHIDConnection.nonce()
            let one = try hid.initialise(on: CTAPHID.broadcastChannel, nonce: nonce)
            let two = try hid.initialise(on: CTAPHID.broadcastChannel, nonce: CTAPHIDConnection.nonce())
            try c.check(one.channel != 0 && one.channel != CTAPHID.broadcastChannel, "INIT allocated a reserved channel id")
            try c.check(one.channel != two.channel, "two INITs got the same channel")
            try c.check(one.capabilities & 0x04 != 0, "INIT capabilities lack CAPABILITY_CBOR (0x04)")
            try c.check(one.protocolVersion == 2, "CTAPHID protocol version is \(one.protocolVersion), not 2")
            c.observe(String(format: "channels %08x %08x, capabilities %02x", one.channel, two.channel, one.capabilities))
        },
        ConformanceTest("ctaphid.ping", "PING of 1024 bytes comes back byte for byte", section: "11.2.9.1.4", tags: ["transport", "ctaphid"]) { c in
            let hid = try hid(c)
            let data = (0..<1024).map { UInt8($0 % 251) }
            let reply = try hid.transact(command: .ping, payload: data, timeout: 5)
            try c.check(reply.command == CTAPHID.Command.ping.rawValue && reply.payload == data, "PING did not echo its 1024 bytes")
        },
        ConformanceTest("ctaphid.invalidChannel", "a command on channel 0 or on the broadcast channel is ERR_INVALID_CHANNEL", section: "11.2.4", tags: ["transport", "ctaphid"]) { c in
            let hid = try hid(c)
            for channel: UInt32 in [0, CTAPHID.broadcastChannel] {
                try hid.send(CTAPHID.packets(channel: channel, command: CTAPHID.Command.cbor.rawValue, payload: [0x04]))
                try expectError(c, try hid.receive(channel: channel, timeout: 2), .invalidChannel, String(format: "CBOR on %08x", channel))
            }
        },
        ConformanceTest("ctaphid.unknownCommand", "an unknown command is ERR_INVALID_CMD", section: "11.2.9.1.5", tags: ["transport", "ctaphid"]) { c in
            let hid = try hid(c)
            try hid.send(CTAPHID.packets(channel: hid.channel, command: 0x2E, payload: [1, 2, 3]))
            try expectError(c, try hid.receive(channel: hid.channel, timeout: 2), .invalidCommand, "command 0x2E")
        },
        ConformanceTest("ctaphid.sequence", "a continuation packet out of sequence is ERR_INVALID_SEQ", section: "11.2.4", tags: ["transport", "ctaphid"]) { c in
            let hid = try hid(c)
            var packets = CTAPHID.packets(channel: hid.channel, command: CTAPHID.Command.ping.rawValue, payload: [UInt8](repeating: 9, count: 100))
            packets[1][4] = 1
            try hid.send(packets)
            try expectError(c, try hid.receive(channel: hid.channel, timeout: 2), .invalidSequence, "continuation 1 where 0 was due")
        },
        ConformanceTest("ctaphid.messageTimeout", "a message left unfinished is ERR_MSG_TIMEOUT", section: "11.2.4", tags: ["transport", "ctaphid"]) { c in
            let hid = try hid(c)
            let packets = CTAPHID.packets(channel: hid.channel, command: CTAPHID.Command.ping.rawValue, payload: [UInt8](repeating: 9, count: 100))
            let started = Date()
            try hid.send([packets[0]])
            try expectError(c, try hid.receive(channel: hid.channel, timeout: 5), .messageTimeout, "only the first of two packets")
            c.observe(String(format: "timed out after %.0f ms", Date().timeIntervalSince(started) * 1000))
        },
        ConformanceTest("ctaphid.busy", "another channel speaking while a message is unfinished gets ERR_CHANNEL_BUSY", section: "11.2.4", tags: ["transport", "ctaphid"]) { c in
            let hid = try hid(c)
            let other = try hid.initialise(on: CTAPHID.broadcastChannel, nonce: CTAPHIDConnection.nonce()).channel
            let packets = CTAPHID.packets(channel: hid.channel, command: CTAPHID.Command.ping.rawValue, payload: [UInt8](repeating: 9, count: 100))
            try hid.send([packets[0]])
            try hid.send(CTAPHID.packets(channel: other, command: CTAPHID.Command.ping.rawValue, payload: [1]))
            try expectError(c, try hid.receive(channel: other, timeout: 2), .channelBusy, "PING on a second channel mid-message")
            try hid.send([packets[1]])
            let reply = try hid.receive(channel: hid.channel, timeout: 2)
            try c.check(reply?.payload == [UInt8](repeating: 9, count: 100), "the first channel's message did not complete after the busy reply")
        },
        ConformanceTest("ctaphid.invalidLength", "a message longer than the key's maximum is ERR_INVALID_LEN", section: "11.2.4", tags: ["transport", "ctaphid"]) { c in
            let hid = try hid(c)
            let header = CTAPHID.bytes(hid.channel) + [CTAPHID.Command.cbor.rawValue | 0x80, 0xFF, 0xFF]
            try hid.send([header])
            try expectError(c, try hid.receive(channel: hid.channel, timeout: 2), .invalidLength, "a 65535-byte CBOR message")
        },
        ConformanceTest("ctaphid.keepAliveAndCancel", "while a touch is awaited KEEPALIVE(UPNEEDED) comes every 100 ms; CANCEL ends it with CTAP2_ERR_KEEPALIVE_CANCEL", section: "11.2.9.1.6", tags: ["transport", "ctaphid", "presence"]) { c in
            let hid = try hid(c)
            guard let control = c.key.controlSocket else {
                throw SkipTest("needs a key that waits for a touch the rig will not give: a virtual key with a control socket")
            }
            try ControlSocket.send(["cmd": "presence", "mode": "wait"], to: control)
            defer { _ = try? ControlSocket.send(["cmd": "presence", "mode": "approve"], to: control) }
            let request = [CTAP2Command.makeCredential.rawValue] + CBOREncoder.encode(.map(c.makeCredentialRequest()))
            try hid.send(CTAPHID.packets(channel: hid.channel, command: CTAPHID.Command.cbor.rawValue, payload: request))
            var stamps: [Date] = []
            let deadline = Date().addingTimeInterval(1.0)
            while Date() < deadline, let message = try hid.receive(channel: hid.channel, timeout: deadline.timeIntervalSinceNow) {
                guard message.command == CTAPHID.Command.keepAlive.rawValue else { throw CheckFailure("the request ended before CANCEL (command \(message.command))") }
                try c.check(message.payload.first == 1 || message.payload.first == 2, "KEEPALIVE status \(message.payload.first ?? 0) is neither PROCESSING nor UPNEEDED")
                if message.payload.first == 2 { stamps.append(Date()) }
            }
            let gaps = zip(stamps.dropFirst(), stamps).map { $0.timeIntervalSince($1) }
            c.observe(String(format: "%d UPNEEDED keep-alives in 1 s, longest gap %.0f ms", stamps.count, (gaps.max() ?? 0) * 1000))
            try c.check(stamps.count >= 5, "only \(stamps.count) KEEPALIVE(UPNEEDED) in a second")
            try c.check((gaps.max() ?? 0) < 0.2, "keep-alives more than 200 ms apart")
            try hid.cancel()
            var reply: CTAPHIDMessage?
            repeat { reply = try hid.receive(channel: hid.channel, timeout: 2) } while reply?.command == CTAPHID.Command.keepAlive.rawValue
            try c.check(reply?.command == CTAPHID.Command.cbor.rawValue && reply?.payload == [CTAPStatusCode.keepAliveCancel.rawValue],
                "CANCEL did not end the request with CTAP2_ERR_KEEPALIVE_CANCEL")
        },
    ]
}
