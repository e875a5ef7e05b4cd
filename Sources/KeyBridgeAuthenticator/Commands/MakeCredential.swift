import Crypto
import Foundation
import KeyBridgeCBOR

extension VirtualAuthenticator {
    /// authenticatorMakeCredential (0x01), CTAP 2.1 §6.1.
    func makeCredential(_ parameters: CBOR, _ context: RequestContext) throws -> CBOR {
        let p = Parameters(parameters)
        let clientDataHash = try p.requiredBytes(1)
        guard let rp = try p.mapValue(2), let user = try p.mapValue(3), let credParams = try p.array(4) else {
            throw CTAPStatus.missingParameter
        }
        // A member that is there with the wrong type is CBOR_UNEXPECTED_TYPE; only an absent one is missing.
        guard let rpIDItem = rp[textKey: "id"], let userIDItem = user[textKey: "id"] else { throw CTAPStatus.missingParameter }
        guard let rpID = rpIDItem.textValue, let userID = userIDItem.bytesValue else { throw CTAPStatus.cborUnexpectedType }
        for (entity, member) in [(rp, "name"), (user, "name"), (user, "displayName")] {
            if let item = entity[textKey: member], item.textValue == nil { throw CTAPStatus.cborUnexpectedType }
        }
        guard userID.count <= 64 else { throw CTAPStatus.invalidLength }
        let options = try p.mapValue(7)
        let pinUvAuthParam = try p.bytes(8)
        let protocolNumber = try p.int(9)

        if let pinUvAuthParam, pinUvAuthParam.isEmpty {
            // The "touch probe" libfido2 uses to find a key: wait for a touch, then say whether a PIN is set.
            try requirePresence(context)
            throw stateLock.withLock { state.pinHash == nil } ? CTAPStatus.pinNotSet : CTAPStatus.pinInvalid
        }
        let algorithm = try chooseAlgorithm(credParams)
        let residentKey = try Parameters.option(options, "rk") ?? false
        if try Parameters.option(options, "up") == false { throw CTAPStatus.invalidOption }
        let uvOption = try Parameters.option(options, "uv") ?? false
        if uvOption && configuration.builtInUV == .none && pinUvAuthParam == nil { throw CTAPStatus.invalidOption }

        var userVerified = false
        if let pinUvAuthParam {
            try verifyToken(
                param: pinUvAuthParam, protocolNumber: protocolNumber, message: clientDataHash,
                permission: .makeCredential, rpID: rpID)
            userVerified = true
        } else if uvOption {
            try performBuiltInUV()
            userVerified = true
        } else if isProtected && (residentKey || stateLock.withLock({ state.alwaysUV })) {
            throw CTAPStatus.puatRequired
        }

        let rpIDHash = Array(SHA256.hash(data: Array(rpID.utf8)))
        if let excluded = try p.array(5) {
            let ids = try Parameters.descriptorIDs(excluded)
            let hit = stateLock.withLock {
                state.credentials.contains { credential in
                    ids.contains(credential.id) && credential.rpIDHash == rpIDHash
                        && (credential.credProtect < 3 || userVerified)
                }
            }
            if hit {
                try requirePresence(context)
                throw CTAPStatus.credentialExcluded
            }
        }

        let extensions = try p.mapValue(6)
        var outputs: [CBOR: CBOR] = [:]
        var credProtect = 1
        if let level = extensions?[textKey: "credProtect"] {
            guard let value = level.intValue, (1...3).contains(value) else { throw CTAPStatus.invalidParameter }
            credProtect = value
            outputs["credProtect"] = .int(value)
        }
        var hmacSecret = false
        if let flag = extensions?[textKey: "hmac-secret"] {
            guard let value = flag.boolValue else { throw CTAPStatus.cborUnexpectedType }
            hmacSecret = value
            if value { outputs["hmac-secret"] = true }
        }
        var credBlob: [UInt8]?
        if let blob = extensions?[textKey: "credBlob"] {
            guard let bytes = blob.bytesValue else { throw CTAPStatus.cborUnexpectedType }
            let stored = bytes.count <= 32
            if stored { credBlob = bytes }
            outputs["credBlob"] = .bool(stored)
        }
        if extensions?[textKey: "minPinLength"]?.boolValue == true,
            stateLock.withLock({ state.minPINLengthRPIDs.contains(rpID) })
        {
            outputs["minPinLength"] = .int(stateLock.withLock { state.minPINLength })
        }

        if residentKey {
            let (count, replaces) = stateLock.withLock {
                (
                    state.credentials.filter(\.discoverable).count,
                    state.credentials.contains { $0.discoverable && $0.rpIDHash == rpIDHash && $0.userID == userID }
                )
            }
            if !replaces && count >= configuration.residentKeyCapacity { throw CTAPStatus.keyStoreFull }
        }

        try requirePresence(context)
        context.keepAlive(1)

        guard let key = CredentialKey(generatingFor: algorithm) else { throw CTAPStatus.unsupportedAlgorithm }
        let credential = StoredCredential(
            id: Self.randomBytes(48), rpIDHash: rpIDHash, rpID: rpID, rpName: rp[textKey: "name"]?.textValue,
            userID: userID, userName: user[textKey: "name"]?.textValue,
            userDisplayName: user[textKey: "displayName"]?.textValue, alg: algorithm, privateKey: key.raw,
            discoverable: residentKey, credProtect: credProtect,
            hmacSecretWithoutUV: hmacSecret ? Self.randomBytes(32) : nil,
            hmacSecretWithUV: hmacSecret ? Self.randomBytes(32) : nil, credBlob: credBlob, created: Date())
        let signCount: UInt32 = stateLock.withLock {
            if residentKey {
                state.credentials.removeAll { $0.discoverable && $0.rpIDHash == rpIDHash && $0.userID == userID }
            }
            state.credentials.append(credential)
            return nextSignCount()
        }

        var flags: UInt8 = 0x01 | 0x40
        if userVerified { flags |= 0x04 }
        if !outputs.isEmpty { flags |= 0x80 }
        var authData = rpIDHash + [flags] + bigEndian(signCount) + configuration.aaguid
        authData += [UInt8(credential.id.count >> 8), UInt8(credential.id.count & 0xFF)] + credential.id
        authData += CBOREncoder.encode(key.cosePublicKey)
        if !outputs.isEmpty { authData += CBOREncoder.encode(.map(outputs)) }

        let (format, statement) = attestationStatement(authData: authData, clientDataHash: clientDataHash, key: key)
        return [1: .text(format), 2: .bytes(authData), 3: statement]
    }

    /// Whether user verification protects the key (a PIN or built-in UV).
    var isProtected: Bool { stateLock.withLock { state.pinHash != nil } || configuration.builtInUV != .none }

    private func chooseAlgorithm(_ credParams: [CBOR]) throws -> Int {
        for parameter in credParams {
            guard parameter.mapValue != nil, let type = parameter[textKey: "type"]?.textValue,
                let alg = parameter[textKey: "alg"]?.intValue
            else { throw CTAPStatus.cborUnexpectedType }
            if type == "public-key" && configuration.algorithms.contains(alg) { return alg }
        }
        throw CTAPStatus.unsupportedAlgorithm
    }

    private func attestationStatement(authData: [UInt8], clientDataHash: [UInt8], key: CredentialKey) -> (String, CBOR) {
        let signed = authData + clientDataHash
        switch configuration.attestation {
        case .none:
            return ("none", .map([:]))
        case .self:
            return ("packed", ["alg": .int(key.alg), "sig": .bytes(key.sign(signed))])
        case .packed:
            let attestationKey = try! P256.Signing.PrivateKey(rawRepresentation: state.attestationLeafKey)
            let signature = Array(try! attestationKey.signature(for: signed).derRepresentation)
            return ("packed", ["alg": -7, "sig": .bytes(signature), "x5c": [.bytes(state.attestationLeafDER)]])
        }
    }
}

/// Four big-endian bytes.
func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}
