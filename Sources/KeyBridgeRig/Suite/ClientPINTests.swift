import Crypto
import KeyBridgeCBOR

/// authenticatorClientPIN (CTAP 2.1 §6.5), with PIN/UV auth protocols 1 and 2.
enum ClientPINTests {
    static let all: [ConformanceTest] =
        [1, 2].flatMap { version in
            [
                ConformanceTest("clientPin.v\(version).keyAgreement", "getKeyAgreement gives a P-256 COSE key with alg -25", section: "6.5.6", tags: ["pin"]) { c in
                    try c.require(option: "clientPin")
                    try c.require(pinProtocol: version)
                    let key = try c.client.keyAgreement(PinUvAuthProtocol(version: version))
                    try c.check(key[intKey: 1]?.intValue == 2 && key[intKey: 3]?.intValue == -25 && key[intKey: -1]?.intValue == 1,
                        "keyAgreement must be kty 2 (EC2), alg -25, crv 1 (P-256)")
                    guard let x = key[intKey: -2]?.bytesValue, let y = key[intKey: -3]?.bytesValue else { throw CheckFailure("keyAgreement has no x and y") }
                    try c.check((try? P256.KeyAgreement.PublicKey(rawRepresentation: x + y)) != nil, "keyAgreement is not a point on P-256")
                },
                ConformanceTest("clientPin.v\(version).setAndToken", "setPIN, then a token for the right PIN, clientPin true in getInfo", section: "6.5.5.5", tags: ["pin"]) { c in
                    try c.require(option: "clientPin")
                    try c.require(pinProtocol: version)
                    try c.freshKey()
                    let proto = PinUvAuthProtocol(version: version)
                    try c.expect(try c.client.setPIN(TestContext.pin, proto), .ok, "setPIN")
                    try c.check(try c.refreshInfo().options["clientPin"] == true, "getInfo clientPin is not true after setPIN")
                    let (reply, token) = try c.client.pinToken(TestContext.pin, proto)
                    try c.expect(reply, .ok, "getPinToken with the right PIN")
                    try c.check(token?.count == 32 || (version == 1 && token.map { $0.count % 16 == 0 } == true), "the token is \(token?.count ?? 0) bytes")
                    try c.check(try c.client.pinRetries(proto) == 8, "pinRetries is not 8 after the right PIN")
                },
            ]
        } + [
            ConformanceTest("clientPin.setTwice", "setPIN when a PIN is set is CTAP2_ERR_PIN_AUTH_INVALID", section: "6.5.5.5", tags: ["pin"]) { c in
                try c.require(option: "clientPin")
                try c.freshKey(pin: TestContext.pin)
                try c.expect(try c.client.setPIN("other-5678", c.pinProtocol), .pinAuthInvalid, "a second setPIN")
            },
            ConformanceTest("clientPin.tooShort", "a PIN shorter than minPINLength is CTAP2_ERR_PIN_POLICY_VIOLATION", section: "6.5.5.5", tags: ["pin"]) { c in
                try c.require(option: "clientPin")
                try c.freshKey()
                let minimum = c.info.minPINLength ?? 4
                try c.expect(try c.client.setPIN(String(repeating: "7", count: minimum - 1), c.pinProtocol), .pinPolicyViolation, "a \(minimum - 1)-character PIN")
                try c.check(try c.refreshInfo().options["clientPin"] == false, "a refused setPIN left a PIN set")
            },
            ConformanceTest("clientPin.wrongPIN", "a wrong PIN is CTAP2_ERR_PIN_INVALID and costs one retry; the right one restores them", section: "6.5.5.7", tags: ["pin"]) { c in
                try c.require(option: "clientPin")
                try c.freshKey(pin: TestContext.pin)
                let before = try c.client.pinRetries(c.pinProtocol)
                try c.expect(try c.client.pinToken("wrong-000", c.pinProtocol).reply, .pinInvalid, "a wrong PIN")
                let after = try c.client.pinRetries(c.pinProtocol)
                c.observe("retries \(before) then \(after)")
                try c.check(after == before - 1, "retries went from \(before) to \(after), not down by one")
                try c.expect(try c.client.pinToken(TestContext.pin, c.pinProtocol).reply, .ok, "the right PIN")
                try c.check(try c.client.pinRetries(c.pinProtocol) == before, "the right PIN did not restore the retries")
            },
            ConformanceTest("clientPin.changePIN", "changePIN: wrong current PIN is PIN_INVALID, a spoiled pinUvAuthParam PIN_AUTH_INVALID, a right one changes it", section: "6.5.5.6", tags: ["pin"]) { c in
                try c.require(option: "clientPin")
                try c.freshKey(pin: TestContext.pin)
                try c.expect(try c.client.changePIN(from: TestContext.pin, to: "new-pin-99", c.pinProtocol, tamper: true), .pinAuthInvalid, "a spoiled pinUvAuthParam")
                try c.expect(try c.client.changePIN(from: "wrong-000", to: "new-pin-99", c.pinProtocol), .pinInvalid, "a wrong current PIN")
                try c.expect(try c.client.changePIN(from: TestContext.pin, to: "new-pin-99", c.pinProtocol), .ok, "changePIN")
                try c.expect(try c.client.pinToken(TestContext.pin, c.pinProtocol).reply, .pinInvalid, "the old PIN")
                try c.expect(try c.client.pinToken("new-pin-99", c.pinProtocol).reply, .ok, "the new PIN")
            },
            ConformanceTest("clientPin.unsupportedProtocol", "pinUvAuthProtocol 99 is CTAP1_ERR_INVALID_PARAMETER; no subCommand is CTAP2_ERR_MISSING_PARAMETER", section: "6.5.5.1", tags: ["pin", "parameters"]) { c in
                try c.require(option: "clientPin")
                try c.expect(try c.client.send(.clientPIN, [1: 99, 2: 2]), .invalidParameter, "getKeyAgreement with protocol 99")
                try c.expect(try c.client.send(.clientPIN, [1: .int(c.pinProtocol.version)]), .missingParameter, "no subCommand")
            },
            ConformanceTest("clientPin.blockAfterThree", "three wrong PINs in a row: CTAP2_ERR_PIN_AUTH_BLOCKED, even for the right PIN, until a power cycle", section: "6.5.5.7", tags: ["pin", "power"]) { c in
                try c.require(option: "clientPin")
                try c.freshKey(pin: TestContext.pin)
                try c.expect(try c.client.pinToken("wrong-001", c.pinProtocol).reply, .pinInvalid, "wrong PIN 1")
                try c.expect(try c.client.pinToken("wrong-002", c.pinProtocol).reply, .pinInvalid, "wrong PIN 2")
                try c.expect(try c.client.pinToken("wrong-003", c.pinProtocol).reply, .pinAuthBlocked, "wrong PIN 3")
                try c.expect(try c.client.pinToken(TestContext.pin, c.pinProtocol).reply, .pinAuthBlocked, "the right PIN before a power cycle")
                guard c.canPowerCycle else { throw NeedsPowerCycle("the right PIN must work again after a power cycle") }
                try c.powerCycle()
                try c.expect(try c.client.pinToken(TestContext.pin, c.pinProtocol).reply, .ok, "the right PIN after a power cycle")
            },
            ConformanceTest("clientPin.blockAfterEight", "eight wrong PINs block the PIN (CTAP2_ERR_PIN_BLOCKED) until reset", section: "6.5.5.7", tags: ["pin", "power"]) { c in
                try c.require(option: "clientPin")
                guard c.canPowerCycle else { throw NeedsPowerCycle("eight wrong tries need a power cycle after every third") }
                try c.freshKey(pin: TestContext.pin)
                for attempt in 1...8 {
                    if attempt == 4 || attempt == 7 { try c.powerCycle() }
                    let expected: CTAPStatusCode = attempt == 8 ? .pinBlocked : (attempt % 3 == 0 ? .pinAuthBlocked : .pinInvalid)
                    try c.expect(try c.client.pinToken("wrong-\(attempt)00", c.pinProtocol).reply, expected, "wrong PIN \(attempt)")
                }
                try c.check(try c.client.pinRetries(c.pinProtocol) == 0, "pinRetries is not 0 when blocked")
                try c.powerCycle()
                try c.expect(try c.client.pinToken(TestContext.pin, c.pinProtocol).reply, .pinBlocked, "the right PIN once blocked")
                try c.freshKey()
            },
        ]
}
