import Crypto
import Foundation
import KeyBridgeCBOR

extension VirtualAuthenticator {
    /// authenticatorGetAssertion (0x02), CTAP 2.1 §6.2.
    func getAssertion(_ parameters: CBOR, _ context: RequestContext) throws -> CBOR {
        let p = Parameters(parameters)
        guard let rpID = try p.text(1) else { throw CTAPStatus.missingParameter }
        let clientDataHash = try p.requiredBytes(2)
        let allowList = try p.array(3).map(Parameters.descriptorIDs) ?? []
        let extensions = try p.mapValue(4)
        let options = try p.mapValue(5)
        let pinUvAuthParam = try p.bytes(6)
        let protocolNumber = try p.int(7)

        if let pinUvAuthParam, pinUvAuthParam.isEmpty {
            try requirePresence(context)
            throw stateLock.withLock { state.pinHash == nil } ? CTAPStatus.pinNotSet : CTAPStatus.pinInvalid
        }
        if try Parameters.option(options, "rk") != nil { throw CTAPStatus.unsupportedOption }
        let userPresence = try Parameters.option(options, "up") ?? true
        let uvOption = try Parameters.option(options, "uv") ?? false
        if uvOption && configuration.builtInUV == .none && pinUvAuthParam == nil { throw CTAPStatus.unsupportedOption }

        var userVerified = false
        if let pinUvAuthParam {
            try verifyToken(
                param: pinUvAuthParam, protocolNumber: protocolNumber, message: clientDataHash,
                permission: .getAssertion, rpID: rpID)
            userVerified = true
        } else if uvOption {
            try performBuiltInUV()
            userVerified = true
        }

        let rpIDHash = Array(SHA256.hash(data: Array(rpID.utf8)))
        var candidates: [StoredCredential] = stateLock.withLock {
            if allowList.isEmpty {
                return state.credentials.filter { $0.discoverable && $0.rpIDHash == rpIDHash }.reversed()
            }
            return allowList.compactMap { id in state.credentials.first { $0.id == id && $0.rpIDHash == rpIDHash } }
        }
        candidates.removeAll { credential in
            credential.credProtect == 3 && !userVerified
                || credential.credProtect == 2 && allowList.isEmpty && !userVerified
        }
        guard !candidates.isEmpty else { throw CTAPStatus.noCredentials }
        if userPresence { try requirePresence(context) }
        context.keepAlive(1)

        let first = candidates.removeFirst()
        var reply = try assertion(
            for: first, rpID: rpID, clientDataHash: clientDataHash, userPresent: userPresence,
            userVerified: userVerified, extensions: extensions, protocolNumber: protocolNumber,
            includeUser: allowList.isEmpty)
        if allowList.isEmpty && !candidates.isEmpty {
            reply[5] = .int(candidates.count + 1)
            stateLock.withLock {
                assertionQueue = AssertionQueue(
                    remaining: candidates, clientDataHash: clientDataHash, rpID: rpID, userPresent: userPresence,
                    userVerified: userVerified, extensions: extensions,
                    protocolVersion: protocolNumber.flatMap(PINUVAuthProtocol.init(rawValue:)))
            }
        }
        return .map(reply)
    }

    /// authenticatorGetNextAssertion (0x08).
    func getNextAssertion() throws -> CBOR {
        guard var queue = stateLock.withLock({ assertionQueue }), !queue.remaining.isEmpty else {
            throw CTAPStatus.notAllowed
        }
        let next = queue.remaining.removeFirst()
        stateLock.withLock { assertionQueue = queue.remaining.isEmpty ? nil : queue }
        return .map(
            try assertion(
                for: next, rpID: queue.rpID, clientDataHash: queue.clientDataHash, userPresent: queue.userPresent,
                userVerified: queue.userVerified, extensions: queue.extensions,
                protocolNumber: queue.protocolVersion?.rawValue, includeUser: true))
    }

    private func assertion(
        for credential: StoredCredential, rpID: String, clientDataHash: [UInt8], userPresent: Bool, userVerified: Bool,
        extensions: CBOR?, protocolNumber: Int?, includeUser: Bool
    ) throws -> [CBOR: CBOR] {
        guard let key = CredentialKey(alg: credential.alg, raw: credential.privateKey) else { throw CTAPStatus.other }
        var outputs: [CBOR: CBOR] = [:]
        if let input = extensions?[textKey: "hmac-secret"] {
            outputs["hmac-secret"] = .bytes(try hmacSecret(input, credential: credential, userVerified: userVerified))
        }
        if extensions?[textKey: "credBlob"]?.boolValue == true {
            outputs["credBlob"] = .bytes(credential.credBlob ?? [])
        }
        var flags: UInt8 = 0
        if userPresent { flags |= 0x01 }
        if userVerified { flags |= 0x04 }
        if !outputs.isEmpty { flags |= 0x80 }
        let signCount = stateLock.withLock { nextSignCount() }
        var authData = credential.rpIDHash + [flags] + bigEndian(signCount)
        if !outputs.isEmpty { authData += CBOREncoder.encode(.map(outputs)) }
        var reply: [CBOR: CBOR] = [
            1: ["id": .bytes(credential.id), "type": "public-key"],
            2: .bytes(authData),
            3: .bytes(key.sign(authData + clientDataHash)),
        ]
        if credential.discoverable && includeUser {
            var user: [CBOR: CBOR] = ["id": .bytes(credential.userID)]
            if userVerified {
                if let name = credential.userName { user["name"] = .text(name) }
                if let display = credential.userDisplayName { user["displayName"] = .text(display) }
            }
            reply[4] = .map(user)
        }
        return reply
    }

    /// The hmac-secret extension on getAssertion (CTAP 2.1 §12.5).
    private func hmacSecret(_ input: CBOR, credential: StoredCredential, userVerified: Bool) throws -> [UInt8] {
        guard let platformKey = input[intKey: 1], let saltEnc = input[intKey: 2]?.bytesValue,
            let saltAuth = input[intKey: 3]?.bytesValue
        else { throw CTAPStatus.missingParameter }
        let pinProtocol = PINUVAuthProtocol(rawValue: input[intKey: 4]?.intValue ?? 1) ?? .one
        guard let shared = stateLock.withLock({ pinProtocol.sharedSecret(ourKey: keyAgreementKey, platformKey: platformKey) })
        else { throw CTAPStatus.invalidParameter }
        guard pinProtocol.verifyWithShared(shared: shared, message: saltEnc, signature: saltAuth) else {
            throw CTAPStatus.pinAuthInvalid
        }
        guard let salts = pinProtocol.decrypt(shared: shared, saltEnc), salts.count == 32 || salts.count == 64 else {
            throw CTAPStatus.invalidLength
        }
        guard let secret = userVerified ? credential.hmacSecretWithUV : credential.hmacSecretWithoutUV else {
            throw CTAPStatus.unsupportedOption
        }
        let key = SymmetricKey(data: secret)
        var output = Array(HMAC<SHA256>.authenticationCode(for: salts.prefix(32), using: key))
        if salts.count == 64 { output += Array(HMAC<SHA256>.authenticationCode(for: salts.suffix(32), using: key)) }
        return pinProtocol.encrypt(shared: shared, output)
    }
}
