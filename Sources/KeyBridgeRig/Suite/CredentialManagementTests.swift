import KeyBridgeCBOR

/// authenticatorCredentialManagement (CTAP 2.1 §6.8).
enum CredentialManagementTests {
    /// Sends a credential management subcommand authenticated with `token`.
    static func send(_ c: TestContext, _ sub: UInt8, _ params: CBOR? = nil, token: [UInt8]?) throws -> CTAPReply {
        var request: [CBOR: CBOR] = [1: .int(Int(sub))]
        if let params { request[2] = params }
        if let token {
            let message = [sub] + (params.map { CBOREncoder.encode($0) } ?? [])
            request[3] = .int(c.pinProtocol.version)
            request[4] = .bytes(c.pinProtocol.authenticate(token: token, message))
        }
        return try c.client.send(.credentialManagement, .map(request))
    }

    static func cmToken(_ c: TestContext) throws -> [UInt8] {
        guard let token = try c.pinToken(permissions: 0x04, rpID: nil) else {
            throw CheckFailure("no cm token")
        }
        return token
    }

    static func twoDiscoverable(_ c: TestContext) throws -> [MadeCredential] {
        try c.freshKey(pin: TestContext.pin)
        return try (1...2).map { n in
            let token = try c.pinToken(permissions: 0x01)
            return try c.makeCredential(rk: true, userID: Array("rig-cm-\(n)".utf8), token: token)
        }
    }

    static let all: [ConformanceTest] = [
        ConformanceTest("credMgmt.requiresToken", "a subcommand without pinUvAuthParam is CTAP2_ERR_PUAT_REQUIRED", section: "6.8", tags: ["credMgmt", "pin"]) { c in
            try c.require(option: "credMgmt", true)
            try c.freshKey(pin: TestContext.pin)
            try c.expect(try send(c, 0x01, token: nil), .puatRequired, "getCredsMetadata without a token")
        },
        ConformanceTest("credMgmt.metadataAndEnumerate", "metadata counts, RPs and credentials enumerate with their totals", section: "6.8.2", tags: ["credMgmt"]) { c in
            try c.require(option: "credMgmt", true)
            let made = try twoDiscoverable(c)
            let metadata = try send(c, 0x01, token: try cmToken(c)).map("getCredsMetadata")
            try c.check(metadata[intKey: 1]?.intValue == 2, "existingResidentCredentialsCount is not 2")
            try c.check(metadata[intKey: 2]?.intValue != nil, "maxPossibleRemainingResidentCredentialsCount is missing")
            let rps = try send(c, 0x02, token: try cmToken(c)).map("enumerateRPsBegin")
            try c.check(rps[intKey: 5]?.intValue == 1, "totalRPs is not 1")
            try c.check(rps[intKey: 3]?[textKey: "id"]?.textValue == TestContext.rpID, "the RP's id is not \(TestContext.rpID)")
            try c.check(rps[intKey: 4]?.bytesValue == TestContext.rpIDHash, "rpIDHash is not SHA-256 of the rp id")
            let first = try send(c, 0x04, [1: .bytes(TestContext.rpIDHash)], token: try cmToken(c)).map("enumerateCredentialsBegin")
            try c.check(first[intKey: 9]?.intValue == 2, "totalCredentials is not 2")
            let second = try c.client.send(.credentialManagement, [1: 5]).map("enumerateCredentialsGetNextCredential")
            let ids = [first, second].compactMap { $0[intKey: 7]?[textKey: "id"]?.bytesValue }
            try c.check(Set(ids) == Set(made.map(\.credentialID)), "the enumerated credential ids are not the two made")
            try c.check(first[intKey: 8] != nil, "an enumerated credential has no publicKey (0x08)")
        },
        ConformanceTest("credMgmt.delete", "a deleted credential is gone from metadata and from getAssertion", section: "6.8.5", tags: ["credMgmt"]) { c in
            try c.require(option: "credMgmt", true)
            let made = try twoDiscoverable(c)
            try c.expect(try send(c, 0x06, [2: ["type": "public-key", "id": .bytes(made[0].credentialID)]], token: try cmToken(c)), .ok, "deleteCredential")
            let metadata = try send(c, 0x01, token: try cmToken(c)).map("getCredsMetadata")
            try c.check(metadata[intKey: 1]?.intValue == 1, "existingResidentCredentialsCount is not 1 after a delete")
            let request = c.getAssertionRequest(allow: [made[0].credentialID])
            try c.expect(try c.client.send(.getAssertion, .map(request)), .noCredentials, "getAssertion for the deleted credential")
        },
        ConformanceTest("credMgmt.updateUser", "updateUserInformation changes the stored name", section: "6.8.6", tags: ["credMgmt"]) { c in
            try c.require(option: "credMgmt", true)
            try c.requireCTAP21()
            let made = try twoDiscoverable(c)
            let user: CBOR = ["id": .bytes(Array("rig-cm-1".utf8)), "name": "renamed@example.test", "displayName": "Renamed"]
            let params: CBOR = [2: ["type": "public-key", "id": .bytes(made[0].credentialID)], 3: user]
            try c.expect(try send(c, 0x07, params, token: try cmToken(c)), .ok, "updateUserInformation")
            let listed = try send(c, 0x04, [1: .bytes(TestContext.rpIDHash)], token: try cmToken(c)).map("enumerateCredentialsBegin")
            let next = try c.client.send(.credentialManagement, [1: 5]).map("enumerateCredentialsGetNextCredential")
            let names = [listed, next].compactMap { $0[intKey: 6]?[textKey: "name"]?.textValue }
            try c.check(names.contains("renamed@example.test"), "the new name is not stored (names: \(names))")
        },
    ]
}
