import Crypto
import KeyBridgeCBOR

/// authenticatorConfig (CTAP 2.1 §6.11) and authenticatorReset (§6.6).
enum ConfigTests {
    static func send(_ c: TestContext, _ sub: UInt8, _ params: CBOR?, token: [UInt8]?) throws -> CTAPReply {
        var request: [CBOR: CBOR] = [1: .int(Int(sub))]
        if let params { request[2] = params }
        if let token {
            let message = [UInt8](repeating: 0xFF, count: 32) + [0x0D, sub] + (params.map { CBOREncoder.encode($0) } ?? [])
            request[3] = .int(c.pinProtocol.version)
            request[4] = .bytes(c.pinProtocol.authenticate(token: token, message))
        }
        return try c.client.send(.config, .map(request))
    }

    static let all: [ConformanceTest] = [
        ConformanceTest("config.requiresToken", "authenticatorConfig without pinUvAuthParam when a PIN is set is CTAP2_ERR_PUAT_REQUIRED", section: "6.11", tags: ["config", "pin"]) { c in
            try c.require(option: "authnrCfg", true)
            try c.freshKey(pin: TestContext.pin)
            try c.expect(try send(c, 0x03, [1: 8], token: nil), .puatRequired, "setMinPINLength without a token")
        },
        ConformanceTest("config.setMinPINLength", "setMinPINLength raises minPINLength; a shorter new PIN or a lower minimum is CTAP2_ERR_PIN_POLICY_VIOLATION", section: "6.11.4", tags: ["config", "pin"]) { c in
            try c.require(option: "setMinPINLength", true)
            try c.freshKey(pin: TestContext.pin)
            guard let token = try c.client.pinToken(TestContext.pin, c.pinProtocol, permissions: 0x20).token else { throw CheckFailure("no acfg token") }
            try c.expect(try send(c, 0x03, [1: 8], token: token), .ok, "setMinPINLength 8")
            try c.check(try c.refreshInfo().minPINLength == 8, "getInfo minPINLength is not 8")
            try c.expect(try c.client.changePIN(from: TestContext.pin, to: "short12", c.pinProtocol), .pinPolicyViolation, "changePIN to 7 characters")
            guard let again = try c.client.pinToken(TestContext.pin, c.pinProtocol, permissions: 0x20).token else { throw CheckFailure("no acfg token") }
            try c.expect(try send(c, 0x03, [1: 4], token: again), .pinPolicyViolation, "lowering the minimum to 4")
            try c.freshKey()
            try c.check(c.info.minPINLength == 4, "reset did not restore minPINLength 4 (it is \(c.info.minPINLength ?? -1))")
        },
    ]
}

enum ResetTests {
    static let all: [ConformanceTest] = [
        ConformanceTest("reset.requiresPresence", "authenticatorReset refused by the user is CTAP2_ERR_OPERATION_DENIED and erases nothing", section: "6.6", tags: ["reset", "presence"]) { c in
            guard let control = c.key.controlSocket else {
                throw SkipTest("needs a key whose touch the rig can refuse: a virtual key with a control socket")
            }
            try c.freshKey(pin: c.info.options["clientPin"] != nil ? TestContext.pin : nil)
            try ControlSocket.send(["cmd": "presence", "mode": "deny"], to: control)
            defer { _ = try? ControlSocket.send(["cmd": "presence", "mode": "approve"], to: control) }
            try c.expect(try c.client.send(.reset), .operationDenied, "reset with the touch refused")
            try c.check(try c.refreshInfo().options["clientPin"] != false, "a refused reset removed the PIN")
        },
        ConformanceTest("reset.erases", "authenticatorReset removes the PIN and every credential", section: "6.6", tags: ["reset"]) { c in
            try c.require(option: "rk", true)
            try c.freshKey()
            let made = try c.makeCredential(rk: true)
            try c.freshKey()
            try c.check(c.info.options["clientPin"] != true, "a PIN is still set after reset")
            try c.expect(try c.client.send(.getAssertion, .map(c.getAssertionRequest(allow: [made.credentialID]))), .noCredentials, "the old credential after reset")
        },
    ]
}

/// authenticatorLargeBlobs (CTAP 2.1 §6.10), where getInfo lists largeBlobs.
enum LargeBlobTests {
    static let all: [ConformanceTest] = [
        ConformanceTest("largeBlobs.initialArray", "a fresh key's serialized large-blob array is the empty array and its truncated SHA-256", section: "6.10.2", tags: ["largeBlobs", "extensions"]) { c in
            try c.require(option: "largeBlobs", true)
            try c.freshKey()
            let reply = try c.client.send(.largeBlobs, [1: 1024, 3: 0]).map("largeBlobs get")
            guard let bytes = reply[intKey: 1]?.bytesValue else { throw CheckFailure("largeBlobs get answered no config (0x01) bytes") }
            let expected: [UInt8] = [0x80] + Array(SHA256.hash(data: [0x80]).prefix(16))
            try c.check(bytes == expected, "the initial serialized large-blob array is not 80 ‖ LEFT(SHA-256(80), 16)")
        },
    ]
}
