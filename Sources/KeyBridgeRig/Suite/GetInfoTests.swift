import KeyBridgeCBOR

/// authenticatorGetInfo (CTAP 2.1 §6.4) and message encoding (§8).
enum GetInfoTests {
    static let all: [ConformanceTest] = [
        ConformanceTest("getInfo.fieldTypes", "every getInfo member has the type §6.4 gives it", section: "6.4", tags: ["getInfo"]) { c in
            let reply = try c.client.send(.getInfo)
            let map = try reply.map("getInfo")
            func isTextArray(_ item: CBOR?) -> Bool { item?.arrayValue?.allSatisfy { $0.textValue != nil } ?? false }
            func isUIntArray(_ item: CBOR?) -> Bool { item?.arrayValue?.allSatisfy { if case .unsigned = $0 { true } else { false } } ?? false }
            func isUInt(_ item: CBOR?) -> Bool { if case .unsigned? = item { true } else { false } }
            try c.check(isTextArray(map[intKey: 1]) && !(map[intKey: 1]?.arrayValue?.isEmpty ?? true), "versions (0x01) must be a non-empty array of text")
            try c.check(map[intKey: 3]?.bytesValue?.count == 16, "aaguid (0x03) must be 16 bytes")
            let optional: [(Int, String, (CBOR?) -> Bool)] = [
                (2, "extensions: array of text", isTextArray),
                (4, "options: map of text to bool", { $0?.mapValue?.allSatisfy { $0.key.textValue != nil && $0.value.boolValue != nil } ?? false }),
                (5, "maxMsgSize: unsigned", isUInt), (6, "pinUvAuthProtocols: array of unsigned", isUIntArray),
                (7, "maxCredentialCountInList: unsigned", isUInt), (8, "maxCredentialIdLength: unsigned", isUInt),
                (9, "transports: array of text", isTextArray),
                (10, "algorithms: array of maps with type and alg", {
                    $0?.arrayValue?.allSatisfy { $0[textKey: "type"]?.textValue != nil && $0[textKey: "alg"]?.intValue != nil } ?? false
                }),
                (11, "maxSerializedLargeBlobArray: unsigned", isUInt), (12, "forcePINChange: bool", { $0?.boolValue != nil }),
                (13, "minPINLength: unsigned", isUInt), (14, "firmwareVersion: unsigned", isUInt),
                (15, "maxCredBlobLength: unsigned", isUInt), (16, "maxRPIDsForSetMinPINLength: unsigned", isUInt),
                (17, "preferredPlatformUVAttempts: unsigned", isUInt), (18, "uvModality: unsigned", isUInt),
                (20, "remainingDiscoverableCredentials: unsigned", isUInt), (21, "vendorPrototypeConfigCommands: array of unsigned", isUIntArray),
            ]
            for (key, what, valid) in optional where map[intKey: key] != nil {
                try c.check(valid(map[intKey: key]), String(format: "member 0x%02X must be %@", key, what))
            }
            c.observe("members: " + (map.mapValue?.keys.compactMap(\.intValue).sorted().map { String($0) }.joined(separator: ",") ?? ""))
        },
        ConformanceTest("getInfo.canonicalCBOR", "the whole getInfo response is canonical CTAP2 CBOR, every array and map included", section: "8", tags: ["getInfo", "cbor"]) { c in
            let reply = try c.client.send(.getInfo)
            guard let item = try reply.strictCBOR() else { throw CheckFailure("getInfo answered no CBOR") }
            try c.check(CBOREncoder.encode(item) == reply.body, "re-encoding getInfo canonically gives other bytes than the key sent")
            c.observe("\(reply.body.count) bytes")
        },
        ConformanceTest("getInfo.versions", "versions name FIDO_2_0 or FIDO_2_1; a 2.1 key with a PIN offers pinUvAuthToken", section: "6.4", tags: ["getInfo"]) { c in
            let info = try c.refreshInfo()
            c.observe("versions: \(info.versions.joined(separator: ","))")
            try c.check(info.versions.contains("FIDO_2_0") || info.versions.contains("FIDO_2_1"), "versions has neither FIDO_2_0 nor FIDO_2_1")
            if info.isCTAP21 && info.options["clientPin"] != nil {
                try c.check(info.options["pinUvAuthToken"] == true, "a FIDO_2_1 key with clientPin must set option pinUvAuthToken")
            }
            if info.options["clientPin"] != nil {
                try c.check(!info.pinUvAuthProtocols.isEmpty, "clientPin is offered but pinUvAuthProtocols is missing or empty")
            }
        },
        ConformanceTest("message.unknownCommand", "an unknown command byte is CTAP1_ERR_INVALID_COMMAND", section: "8.2", tags: ["cbor"]) { c in
            try c.expect(try c.client.sendRaw([0x5F]), .invalidCommand, "command 0x5F")
        },
        ConformanceTest("message.malformedCBOR", "truncated CBOR parameters are CTAP2_ERR_INVALID_CBOR", section: "8", tags: ["cbor"]) { c in
            try c.expect(try c.client.sendRaw([0x01, 0xA4, 0x01, 0x58, 0x20, 0x00]), .invalidCBOR, "makeCredential with truncated CBOR")
        },
        ConformanceTest("message.notAMap", "parameters that are not a map are CTAP2_ERR_CBOR_UNEXPECTED_TYPE", section: "8", tags: ["cbor"]) { c in
            try c.expect(try c.client.sendRaw([0x01, 0x80]), .cborUnexpectedType, "makeCredential with an array for parameters")
        },
    ]
}
