import KeyBridgeCBOR

/// pinUvAuthToken permissions (CTAP 2.1 §6.5.5.7, getPinUvAuthTokenUsingPinWithPermissions).
enum PermissionTests {
    static let all: [ConformanceTest] = [
        ConformanceTest("permissions.zero", "permissions 0 is CTAP1_ERR_INVALID_PARAMETER", section: "6.5.5.7", tags: ["pin", "permissions"]) { c in
            try c.require(option: "pinUvAuthToken", true)
            try c.freshKey(pin: TestContext.pin)
            try c.expect(try c.client.pinToken(TestContext.pin, c.pinProtocol, permissions: 0, rpID: TestContext.rpID).reply, .invalidParameter, "permissions 0")
        },
        ConformanceTest("permissions.wrongPermission", "a token without mc is refused by makeCredential with CTAP2_ERR_PIN_AUTH_INVALID", section: "6.5.5.7", tags: ["pin", "permissions"]) { c in
            try c.require(option: "pinUvAuthToken", true)
            try c.require(option: "credMgmt", true)
            try c.freshKey(pin: TestContext.pin)
            guard let token = try c.client.pinToken(TestContext.pin, c.pinProtocol, permissions: 0x04).token else { throw CheckFailure("no cm token") }
            let request = c.makeCredentialRequest(token: token)
            try c.expect(try c.client.send(.makeCredential, .map(request)), .pinAuthInvalid, "makeCredential with a cm-only token")
        },
        ConformanceTest("permissions.wrongRP", "a token bound to another rp id is refused with CTAP2_ERR_PIN_AUTH_INVALID", section: "6.5.5.7", tags: ["pin", "permissions"]) { c in
            try c.require(option: "pinUvAuthToken", true)
            try c.freshKey(pin: TestContext.pin)
            guard let token = try c.client.pinToken(TestContext.pin, c.pinProtocol, permissions: 0x01, rpID: "other.example").token else {
                throw CheckFailure("no mc token")
            }
            let request = c.makeCredentialRequest(token: token)
            try c.expect(try c.client.send(.makeCredential, .map(request)), .pinAuthInvalid, "makeCredential for \(TestContext.rpID) with a token for other.example")
        },
        ConformanceTest("permissions.unsupported", "a permission the key does not offer (be without largeBlobs) is CTAP2_ERR_UNAUTHORIZED_PERMISSION", section: "6.5.5.7", tags: ["pin", "permissions"]) { c in
            try c.require(option: "pinUvAuthToken", true)
            guard c.info.options["largeBlobs"] != true else { throw SkipTest("the key offers largeBlobs, so be is allowed") }
            try c.freshKey(pin: TestContext.pin)
            try c.expect(try c.client.pinToken(TestContext.pin, c.pinProtocol, permissions: 0x10).reply, .unauthorizedPermission, "permission lbw without largeBlobs")
        },
    ]
}
