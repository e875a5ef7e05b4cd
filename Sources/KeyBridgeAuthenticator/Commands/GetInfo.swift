import KeyBridgeCBOR

extension VirtualAuthenticator {
    /// authenticatorGetInfo (0x04).
    func getInfo() -> CBOR {
        stateLock.withLock {
            var options: [CBOR: CBOR] = [
                "rk": true, "up": true, "plat": false, "clientPin": .bool(state.pinHash != nil),
                "pinUvAuthToken": true, "credMgmt": true, "credentialMgmtPreview": true, "makeCredUvNotRqd": true,
            ]
            if configuration.authenticatorConfig {
                options["authnrCfg"] = true
                options["setMinPINLength"] = true
                options["alwaysUv"] = .bool(state.alwaysUV)
            }
            if configuration.builtInUV != .none { options["uv"] = true }
            var versions: [CBOR] = ["FIDO_2_0", "FIDO_2_1"]
            if configuration.u2f { versions.insert("U2F_V2", at: 0) }
            let residents = state.credentials.filter(\.discoverable).count
            var info: [CBOR: CBOR] = [
                1: .array(versions),
                2: ["credProtect", "hmac-secret", "credBlob", "minPinLength"],
                3: .bytes(configuration.aaguid),
                4: .map(options),
                5: .int(configuration.maxMessageSize),
                6: [2, 1],
                7: 8,
                8: 128,
                9: .array(configuration.transports.map { .text($0) }),
                10: .array(configuration.algorithms.map { ["alg": .int($0), "type": "public-key"] }),
                12: .bool(state.forcePINChange),
                13: .int(state.minPINLength),
                14: .int(configuration.firmwareVersion),
                15: 32,
                20: .int(max(0, configuration.residentKeyCapacity - residents)),
            ]
            if configuration.authenticatorConfig { info[16] = .int(Self.maxRPIDsForSetMinPINLength) }
            if configuration.builtInUV != .none {
                info[17] = 3
                info[18] = 2  // FIDO_UV_MODE_FP
            }
            return .map(info)
        }
    }
}
