import KeyBridgeCBOR

/// Extensions (CTAP 2.1 §12): credProtect, hmac-secret, credBlob, minPinLength, largeBlobKey.
enum ExtensionTests {
    static let all: [ConformanceTest] = [
        ConformanceTest("extensions.credProtect", "credProtect 2 hides a credential from discovery without UV; 3 hides it even with an allowList", section: "12.1", tags: ["extensions"]) { c in
            try c.require(extension: "credProtect")
            try c.require(option: "rk", true)
            try c.freshKey()
            let two = try c.makeCredential(rk: true, userID: Array("rig-cp2".utf8), extensions: ["credProtect": 2])
            try c.check(two.authData.extensions?[textKey: "credProtect"]?.intValue == 2, "authData does not report credProtect 2")
            try c.expect(try c.client.send(.getAssertion, .map(c.getAssertionRequest())), .noCredentials, "level 2, no allowList, no UV")
            _ = try c.getAssertion(allow: [two.credentialID])
            c.observe("level 2 with its id in allowList: returned")
            try c.freshKey()
            let three = try c.makeCredential(rk: true, userID: Array("rig-cp3".utf8), extensions: ["credProtect": 3])
            try c.check(three.authData.extensions?[textKey: "credProtect"]?.intValue == 3, "authData does not report credProtect 3")
            try c.expect(try c.client.send(.getAssertion, .map(c.getAssertionRequest(allow: [three.credentialID]))), .noCredentials, "level 3 with allowList, no UV")
        },
        ConformanceTest("extensions.hmacSecret", "hmac-secret: the same salt gives the same secret, another salt another", section: "12.5", tags: ["extensions"]) { c in
            try c.require(extension: "hmac-secret")
            try c.freshKey()
            let made = try c.makeCredential(extensions: ["hmac-secret": true])
            try c.check(made.authData.extensions?[textKey: "hmac-secret"]?.boolValue == true, "makeCredential did not answer hmac-secret true")
            func secret(_ salt: [UInt8]) throws -> [UInt8] {
                let proto = c.pinProtocol
                let agreement = try c.client.agree(proto)
                let saltEnc = proto.encrypt(agreement.sharedSecret, salt)
                let input: CBOR = [
                    1: agreement.platformKey, 2: .bytes(saltEnc),
                    3: .bytes(proto.authenticate(secret: agreement.sharedSecret, saltEnc)), 4: .int(proto.version),
                ]
                let (assertion, _) = try c.getAssertion(allow: [made.credentialID], extensions: ["hmac-secret": input])
                guard let output = assertion.authData.extensions?[textKey: "hmac-secret"]?.bytesValue,
                    let plain = proto.decrypt(agreement.sharedSecret, output)
                else { throw CheckFailure("the assertion has no hmac-secret output that decrypts") }
                return plain
            }
            let salt = [UInt8](repeating: 0xA5, count: 32)
            let first = try secret(salt)
            try c.check(first.count == 32, "the hmac-secret output is \(first.count) bytes, not 32")
            try c.check(try secret(salt) == first, "the same salt gave a different secret")
            try c.check(try secret([UInt8](repeating: 0x5A, count: 32)) != first, "another salt gave the same secret")
        },
        ConformanceTest("extensions.credBlob", "credBlob stores up to maxCredBlobLength bytes and returns them; more is refused", section: "12.2", tags: ["extensions"]) { c in
            try c.require(extension: "credBlob")
            guard let maximum = c.info.maxCredBlobLength else { throw CheckFailure("credBlob is listed but maxCredBlobLength (0x0F) is missing") }
            try c.check(maximum >= 32, "maxCredBlobLength must be at least 32, is \(maximum)")
            try c.freshKey()
            let blob = (0..<maximum).map { UInt8($0 & 0xFF) }
            let made = try c.makeCredential(rk: true, extensions: ["credBlob": .bytes(blob)])
            try c.check(made.authData.extensions?[textKey: "credBlob"]?.boolValue == true, "makeCredential did not answer credBlob true")
            let (assertion, _) = try c.getAssertion(allow: [made.credentialID], extensions: ["credBlob": true])
            try c.check(assertion.authData.extensions?[textKey: "credBlob"]?.bytesValue == blob, "getAssertion did not return the stored blob")
            let tooLong = try c.makeCredential(rk: true, userID: Array("rig-blob2".utf8), extensions: ["credBlob": .bytes(blob + [0])])
            try c.check(tooLong.authData.extensions?[textKey: "credBlob"]?.boolValue == false, "a blob over maxCredBlobLength was not answered credBlob false")
        },
        ConformanceTest("extensions.minPinLength", "minPinLength is answered only for a relying party on the key's list", section: "12.4", tags: ["extensions"]) { c in
            try c.require(extension: "minPinLength")
            try c.freshKey()
            let made = try c.makeCredential(extensions: ["minPinLength": true])
            let output = made.authData.extensions?[textKey: "minPinLength"]
            c.observe("output for an unlisted rp: \(output.map { "\($0)" } ?? "none")")
            try c.check(output == nil, "minPinLength was disclosed to a relying party not on the list")
        },
    ]
}
