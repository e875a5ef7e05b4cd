import KeyBridgeCBOR
import KeyBridgeWebAuthn

/// authenticatorMakeCredential (CTAP 2.1 §6.1).
enum MakeCredentialTests {
    static let all: [ConformanceTest] = [
        ConformanceTest("makeCredential.missingParameters", "each required parameter left out is CTAP2_ERR_MISSING_PARAMETER", section: "6.1.2", tags: ["makeCredential", "parameters"]) { c in
            try c.freshKey()
            for (key, name) in [(1, "clientDataHash"), (2, "rp"), (3, "user"), (4, "pubKeyCredParams")] {
                var request = c.makeCredentialRequest()
                request[.int(key)] = nil
                try c.expect(try c.client.send(.makeCredential, .map(request)), .missingParameter, "without \(name)")
            }
        },
        ConformanceTest("makeCredential.parameterTypes", "a parameter of the wrong type is CTAP2_ERR_CBOR_UNEXPECTED_TYPE", section: "6.1.2", tags: ["makeCredential", "parameters"]) { c in
            try c.freshKey()
            let cases: [(String, (inout [CBOR: CBOR]) -> Void)] = [
                ("clientDataHash as text", { $0[1] = "not bytes" }),
                ("rp as text", { $0[2] = "rig.keybridge.test" }),
                ("user.id as text", { $0[3] = ["id": "text id", "name": "x"] }),
                ("pubKeyCredParams as a map", { $0[4] = ["type": "public-key", "alg": -7] }),
                ("options as an array", { $0[7] = ["rk"] }),
            ]
            for (name, spoil) in cases {
                var request = c.makeCredentialRequest()
                spoil(&request)
                try c.expect(try c.client.send(.makeCredential, .map(request)), .cborUnexpectedType, name)
            }
        },
        ConformanceTest("makeCredential.unsupportedAlgorithm", "only unsupported algorithms is CTAP2_ERR_UNSUPPORTED_ALGORITHM", section: "6.1.2", tags: ["makeCredential", "algorithms"]) { c in
            try c.freshKey()
            var request = c.makeCredentialRequest()
            request[4] = [["type": "public-key", "alg": -999]]
            try c.expect(try c.client.send(.makeCredential, .map(request)), .unsupportedAlgorithm, "alg -999 only")
            request[4] = [["type": "not-a-key", "alg": -7]]
            try c.expect(try c.client.send(.makeCredential, .map(request)), .unsupportedAlgorithm, "type not-a-key only")
        },
        ConformanceTest("makeCredential.upFalse", "option up=false is CTAP2_ERR_INVALID_OPTION", section: "6.1.2", tags: ["makeCredential", "options"]) { c in
            try c.freshKey()
            var request = c.makeCredentialRequest()
            request[7] = ["up": false]
            try c.expect(try c.client.send(.makeCredential, .map(request)), .invalidOption, "up=false")
        },
        ConformanceTest("makeCredential.attestation", "a credential's authData and attestation statement are well formed and verify", section: "6.1.2", tags: ["makeCredential", "attestation"]) { c in
            try c.freshKey()
            let made = try c.makeCredential()
            let auth = made.authData
            try c.check(auth.rpIDHash == TestContext.rpIDHash, "authData rpIdHash is not SHA-256 of the rp id")
            try c.check(auth.flags.contains(.userPresent), "UP is not set after a makeCredential with presence")
            try c.check(!auth.flags.contains(.userVerified), "UV is set though no user verification was asked for")
            let aaguid = auth.attestedCredential!.aaguid
            try c.check(made.format == "none" || aaguid.count == 16, "attested AAGUID is not 16 bytes")
            let key = made.publicKey
            try c.check(key[intKey: 3]?.intValue == -7 && key[intKey: -1]?.intValue == 1, "the credential key is not an ES256 P-256 COSE key")
            c.observe("fmt \(made.format), credential id \(made.credentialID.count) bytes")
            switch made.format {
            case "packed":
                guard let sig = made.statement[textKey: "sig"]?.bytesValue, let alg = made.statement[textKey: "alg"]?.intValue else {
                    throw CheckFailure("packed attStmt needs alg and sig")
                }
                let message = auth.raw + made.clientDataHash
                if let chain = made.statement[textKey: "x5c"]?.arrayValue {
                    guard let leaf = chain.first?.bytesValue else { throw CheckFailure("x5c is empty") }
                    try c.check((try? WebAuthnVerifier.verify(signature: sig, over: message, certificate: leaf, algorithm: alg)) == true, "the packed signature does not verify with the x5c leaf")
                    c.observe("packed with x5c (\(chain.count) certificate(s))")
                } else {
                    try c.check(alg == -7, "self attestation's alg must be the credential's")
                    try c.check((try? WebAuthnVerifier.verify(signature: sig, message: message, key: key)) == true, "the self-attestation signature does not verify")
                    c.observe("packed self attestation")
                }
            case "none":
                try c.check(made.statement.mapValue?.isEmpty == true, "fmt none needs an empty attStmt")
            default:
                c.observe("attestation format \(made.format) not checked")
            }
        },
        ConformanceTest("makeCredential.eddsa", "an EdDSA credential when getInfo lists alg -8", section: "6.1.2", tags: ["makeCredential", "algorithms"]) { c in
            guard c.info.algorithms.contains(-8) else { throw SkipTest("getInfo algorithms has no EdDSA (-8)") }
            try c.freshKey()
            var request = c.makeCredentialRequest()
            request[4] = [["type": "public-key", "alg": -8]]
            let made = try MadeCredential(try c.client.send(.makeCredential, .map(request)).map("makeCredential"), clientDataHash: request[1]!.bytesValue!)
            try c.check(made.publicKey[intKey: 3]?.intValue == -8 && made.publicKey[intKey: -1]?.intValue == 6, "the credential key is not an Ed25519 OKP key")
        },
        ConformanceTest("makeCredential.excludeList", "a credential in excludeList is CTAP2_ERR_CREDENTIAL_EXCLUDED", section: "6.1.2", tags: ["makeCredential"]) { c in
            try c.freshKey()
            let made = try c.makeCredential()
            let request = c.makeCredentialRequest(exclude: [Array(repeating: 7, count: 32), made.credentialID])
            try c.expect(try c.client.send(.makeCredential, .map(request)), .credentialExcluded, "re-registering an excluded credential")
            let other = c.makeCredentialRequest(exclude: [Array(repeating: 7, count: 32)])
            try c.expect(try c.client.send(.makeCredential, .map(other)), .ok, "an excludeList of unknown ids")
        },
        ConformanceTest("makeCredential.discoverable", "rk=true makes a credential getAssertion finds without an allowList", section: "6.1.2", tags: ["makeCredential", "rk"]) { c in
            try c.require(option: "rk", true)
            try c.freshKey()
            let made = try c.makeCredential(rk: true, userID: Array("rig-user-rk".utf8))
            let (assertion, hash) = try c.getAssertion()
            try c.check(assertion.credentialID == made.credentialID, "getAssertion without allowList did not return the discoverable credential")
            try c.check(assertion.user?[textKey: "id"]?.bytesValue == Array("rig-user-rk".utf8), "a discoverable credential's assertion must carry user.id")
            try c.check(assertion.verifies(publicKey: made.publicKey, clientDataHash: hash), "the assertion signature does not verify")
        },
        ConformanceTest("makeCredential.pinRequired", "with a PIN set, a discoverable credential without pinUvAuthParam is CTAP2_ERR_PUAT_REQUIRED", section: "6.1.2", tags: ["makeCredential", "pin"]) { c in
            try c.require(option: "clientPin")
            try c.freshKey(pin: TestContext.pin)
            let request = c.makeCredentialRequest(rk: true)
            try c.expect(try c.client.send(.makeCredential, .map(request)), .puatRequired, "rk without pinUvAuthParam")
            let plain = try c.client.send(.makeCredential, .map(c.makeCredentialRequest()))
            if c.info.options["makeCredUvNotRqd"] == true {
                try c.expect(plain, .ok, "non-discoverable without pinUvAuthParam (makeCredUvNotRqd)")
            } else {
                try c.expect(plain, .puatRequired, "non-discoverable without pinUvAuthParam")
            }
        },
        ConformanceTest("makeCredential.pinAuth", "a right pinUvAuthParam sets UV; a wrong one is CTAP2_ERR_PIN_AUTH_INVALID", section: "6.1.2", tags: ["makeCredential", "pin"]) { c in
            try c.require(option: "clientPin")
            try c.freshKey(pin: TestContext.pin)
            guard let token = try c.pinToken(permissions: 0x01) else { throw CheckFailure("no PIN token") }
            var wrong = c.makeCredentialRequest(token: token)
            wrong[8] = .bytes(Array(repeating: 0x55, count: c.pinProtocol.version == 1 ? 16 : 32))
            try c.expect(try c.client.send(.makeCredential, .map(wrong)), .pinAuthInvalid, "a wrong pinUvAuthParam")
            let again = try c.pinToken(permissions: 0x01)
            let made = try c.makeCredential(token: again)
            try c.check(made.authData.flags.contains(.userVerified), "UV is not set after a makeCredential with a PIN token")
        },
        ConformanceTest("makeCredential.emptyPinAuth", "a zero-length pinUvAuthParam is CTAP2_ERR_PIN_NOT_SET, or CTAP2_ERR_PIN_INVALID once a PIN is set", section: "6.1.2", tags: ["makeCredential", "pin"]) { c in
            try c.require(option: "clientPin")
            try c.freshKey()
            var request = c.makeCredentialRequest()
            request[8] = .bytes([])
            request[9] = .int(c.pinProtocol.version)
            try c.expect(try c.client.send(.makeCredential, .map(request)), .pinNotSet, "empty pinUvAuthParam, no PIN")
            try c.freshKey(pin: TestContext.pin)
            try c.expect(try c.client.send(.makeCredential, .map(request)), .pinInvalid, "empty pinUvAuthParam, PIN set")
        },
        ConformanceTest("makeCredential.pinProtocolMissing", "pinUvAuthParam without pinUvAuthProtocol is CTAP2_ERR_MISSING_PARAMETER", section: "6.1.2", tags: ["makeCredential", "pin", "parameters"]) { c in
            try c.require(option: "clientPin")
            try c.freshKey(pin: TestContext.pin)
            var request = c.makeCredentialRequest()
            request[8] = .bytes(Array(repeating: 1, count: 32))
            try c.expect(try c.client.send(.makeCredential, .map(request)), .missingParameter, "pinUvAuthParam alone")
            request[9] = 99
            try c.expect(try c.client.send(.makeCredential, .map(request)), .invalidParameter, "pinUvAuthProtocol 99")
        },
    ]
}
