import KeyBridgeCBOR

/// authenticatorGetAssertion and authenticatorGetNextAssertion (CTAP 2.1 §6.2, §6.3).
enum GetAssertionTests {
    static let all: [ConformanceTest] = [
        ConformanceTest("getAssertion.missingParameters", "no rpId or no clientDataHash is CTAP2_ERR_MISSING_PARAMETER", section: "6.2.2", tags: ["getAssertion", "parameters"]) { c in
            try c.freshKey()
            for (key, name) in [(1, "rpId"), (2, "clientDataHash")] {
                var request = c.getAssertionRequest()
                request[.int(key)] = nil
                try c.expect(try c.client.send(.getAssertion, .map(request)), .missingParameter, "without \(name)")
            }
        },
        ConformanceTest("getAssertion.parameterTypes", "a parameter of the wrong type is CTAP2_ERR_CBOR_UNEXPECTED_TYPE", section: "6.2.2", tags: ["getAssertion", "parameters"]) { c in
            try c.freshKey()
            let cases: [(String, (inout [CBOR: CBOR]) -> Void)] = [
                ("rpId as bytes", { $0[1] = .bytes([1, 2]) }),
                ("clientDataHash as text", { $0[2] = "hash" }),
                ("allowList as a map", { $0[3] = ["type": "public-key"] }),
                ("options as text", { $0[5] = "up" }),
            ]
            for (name, spoil) in cases {
                var request = c.getAssertionRequest()
                spoil(&request)
                try c.expect(try c.client.send(.getAssertion, .map(request)), .cborUnexpectedType, name)
            }
        },
        ConformanceTest("getAssertion.noCredentials", "an allowList of unknown ids is CTAP2_ERR_NO_CREDENTIALS", section: "6.2.2", tags: ["getAssertion"]) { c in
            try c.freshKey()
            let request = c.getAssertionRequest(allow: [Array(repeating: 0x42, count: 48)])
            try c.expect(try c.client.send(.getAssertion, .map(request)), .noCredentials, "unknown credential id")
            try c.expect(try c.client.send(.getAssertion, .map(c.getAssertionRequest())), .noCredentials, "no allowList, no discoverable credential")
        },
        ConformanceTest("getAssertion.signatureAndCounter", "an assertion verifies with the credential key and its counter increases", section: "6.2.2", tags: ["getAssertion"]) { c in
            try c.freshKey()
            let made = try c.makeCredential()
            let (first, hash1) = try c.getAssertion(allow: [made.credentialID])
            let (second, hash2) = try c.getAssertion(allow: [made.credentialID])
            try c.check(first.verifies(publicKey: made.publicKey, clientDataHash: hash1), "the first assertion does not verify")
            try c.check(second.verifies(publicKey: made.publicKey, clientDataHash: hash2), "the second assertion does not verify")
            try c.check(first.authData.rpIDHash == TestContext.rpIDHash, "rpIdHash is not SHA-256 of the rp id")
            try c.check(first.authData.flags.contains(.userPresent), "UP is not set")
            try c.check(first.authData.attestedCredential == nil, "an assertion's authData must not carry attested credential data")
            c.observe("signCount \(first.authData.signCount) then \(second.authData.signCount)")
            if first.authData.signCount != 0 || second.authData.signCount != 0 {
                try c.check(second.authData.signCount > first.authData.signCount, "the signature counter did not increase")
            }
        },
        ConformanceTest("getAssertion.silent", "up=false gives an assertion without the UP flag", section: "6.2.2", tags: ["getAssertion", "options"]) { c in
            try c.freshKey()
            let made = try c.makeCredential()
            let (assertion, hash) = try c.getAssertion(allow: [made.credentialID], options: ["up": false])
            try c.check(!assertion.authData.flags.contains(.userPresent), "UP is set though up=false was asked")
            try c.check(assertion.verifies(publicKey: made.publicKey, clientDataHash: hash), "the silent assertion does not verify")
        },
        ConformanceTest("getAssertion.noUserInfoWithoutUV", "without user verification the user entity carries only its id", section: "6.2.2", tags: ["getAssertion", "rk", "privacy"]) { c in
            try c.require(option: "rk", true)
            try c.freshKey()
            _ = try c.makeCredential(rk: true, userID: Array("rig-private".utf8))
            let (assertion, _) = try c.getAssertion()
            guard let user = assertion.user?.mapValue else { throw CheckFailure("a discoverable assertion has no user (0x04)") }
            let names = user.keys.compactMap(\.textValue).sorted()
            c.observe("user members: \(names.joined(separator: ","))")
            try c.check(names == ["id"], "user-identifiable information (\(names.filter { $0 != "id" }.joined(separator: ", "))) returned without user verification")
        },
        ConformanceTest("getAssertion.nextAssertion", "two discoverable credentials: newest first, numberOfCredentials 2, then getNextAssertion, then CTAP2_ERR_NOT_ALLOWED", section: "6.3", tags: ["getAssertion", "rk"]) { c in
            try c.require(option: "rk", true)
            try c.freshKey()
            let older = try c.makeCredential(rk: true, userID: Array("rig-older".utf8))
            let newer = try c.makeCredential(rk: true, userID: Array("rig-newer".utf8))
            let (first, _) = try c.getAssertion()
            try c.check(first.numberOfCredentials == 2, "numberOfCredentials is \(first.numberOfCredentials.map(String.init) ?? "absent"), not 2")
            try c.check(first.credentialID == newer.credentialID, "the first assertion is not the most recently created credential")
            let next = try Assertion(try c.client.send(.getNextAssertion).map("getNextAssertion"))
            try c.check(next.credentialID == older.credentialID, "getNextAssertion did not return the other credential")
            try c.check(next.numberOfCredentials == nil, "getNextAssertion must not repeat numberOfCredentials")
            try c.expect(try c.client.send(.getNextAssertion), .notAllowed, "a third getNextAssertion")
        },
        ConformanceTest("getAssertion.nextWithoutGet", "getNextAssertion with nothing pending is CTAP2_ERR_NOT_ALLOWED", section: "6.3", tags: ["getAssertion"]) { c in
            _ = try c.client.send(.getInfo)
            try c.expect(try c.client.send(.getNextAssertion), .notAllowed, "getNextAssertion after getInfo")
        },
        ConformanceTest("getAssertion.pinAuthInvalid", "a wrong pinUvAuthParam is CTAP2_ERR_PIN_AUTH_INVALID; a right one sets UV", section: "6.2.2", tags: ["getAssertion", "pin"]) { c in
            try c.require(option: "clientPin")
            try c.freshKey(pin: TestContext.pin)
            guard let token = try c.pinToken(permissions: 0x03) else { throw CheckFailure("no PIN token") }
            let made = try c.makeCredential(token: token)
            var request = c.getAssertionRequest(allow: [made.credentialID], token: token)
            request[6] = .bytes(Array(repeating: 0x33, count: c.pinProtocol.version == 1 ? 16 : 32))
            try c.expect(try c.client.send(.getAssertion, .map(request)), .pinAuthInvalid, "a wrong pinUvAuthParam")
            guard let again = try c.pinToken(permissions: 0x03) else { throw CheckFailure("no PIN token") }
            let (assertion, _) = try c.getAssertion(allow: [made.credentialID], token: again)
            try c.check(assertion.authData.flags.contains(.userVerified), "UV is not set after getAssertion with a PIN token")
        },
    ]
}
