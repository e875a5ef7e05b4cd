import Crypto
import Foundation
import KeyBridgeCBOR

extension VirtualAuthenticator {
    /// authenticatorCredentialManagement (0x0A, and 0x41 — the preview command libfido2 1.12 sends).
    func credentialManagement(_ parameters: CBOR) throws -> CBOR? {
        let p = Parameters(parameters)
        guard let subCommand = try p.int(1) else { throw CTAPStatus.missingParameter }
        let params = try p.mapValue(2)
        if [0x01, 0x02, 0x04, 0x06, 0x07].contains(subCommand) {
            guard let auth = try p.bytes(4) else { throw CTAPStatus.puatRequired }
            var message = [UInt8(subCommand)]
            if let params { message += CBOREncoder.encode(params) }
            let rpID: String? = subCommand == 0x04 ? try rpIDForHash(params?[intKey: 1]?.bytesValue) : nil
            try verifyToken(
                param: auth, protocolNumber: try p.int(3), message: message, permission: .credentialManagement, rpID: rpID)
        }
        switch subCommand {
        case 0x01:  // getCredsMetadata
            return stateLock.withLock {
                let existing = state.credentials.filter(\.discoverable).count
                return [1: .int(existing), 2: .int(max(0, configuration.residentKeyCapacity - existing))]
            }
        case 0x02:  // enumerateRPsBegin
            let parties: [StoredCredential] = stateLock.withLock {
                var seen = Set<[UInt8]>()
                return state.credentials.filter { $0.discoverable && $0.rpID != nil && seen.insert($0.rpIDHash).inserted }
            }
            guard let first = parties.first else { throw CTAPStatus.noCredentials }
            stateLock.withLock { enumeration = .relyingParties(Array(parties.dropFirst())) }
            var reply = rpEntry(first)
            reply[5] = .int(parties.count)
            return .map(reply)
        case 0x03:  // enumerateRPsGetNextRP
            guard case .relyingParties(var rest)? = stateLock.withLock({ enumeration }), !rest.isEmpty else {
                throw CTAPStatus.notAllowed
            }
            let next = rest.removeFirst()
            stateLock.withLock { enumeration = .relyingParties(rest) }
            return .map(rpEntry(next))
        case 0x04:  // enumerateCredentialsBegin
            guard let hash = params?[intKey: 1]?.bytesValue else { throw CTAPStatus.missingParameter }
            let credentials = stateLock.withLock { state.credentials.filter { $0.discoverable && $0.rpIDHash == hash } }
            guard let first = credentials.first else { throw CTAPStatus.noCredentials }
            stateLock.withLock { enumeration = .credentials(Array(credentials.dropFirst())) }
            var reply = try credentialEntry(first)
            reply[9] = .int(credentials.count)
            return .map(reply)
        case 0x05:  // enumerateCredentialsGetNextCredential
            guard case .credentials(var rest)? = stateLock.withLock({ enumeration }), !rest.isEmpty else {
                throw CTAPStatus.notAllowed
            }
            let next = rest.removeFirst()
            stateLock.withLock { enumeration = .credentials(rest) }
            return .map(try credentialEntry(next))
        case 0x06:  // deleteCredential
            guard let id = params?[intKey: 2]?[textKey: "id"]?.bytesValue else { throw CTAPStatus.missingParameter }
            try stateLock.withLock {
                guard state.credentials.contains(where: { $0.id == id && $0.discoverable }) else {
                    throw CTAPStatus.noCredentials
                }
                state.credentials.removeAll { $0.id == id }
                persist()
            }
            return nil
        case 0x07:  // updateUserInformation
            guard let id = params?[intKey: 2]?[textKey: "id"]?.bytesValue, let user = params?[intKey: 3],
                let userID = user[textKey: "id"]?.bytesValue
            else { throw CTAPStatus.missingParameter }
            try stateLock.withLock {
                guard let index = state.credentials.firstIndex(where: { $0.id == id && $0.discoverable }) else {
                    throw CTAPStatus.noCredentials
                }
                guard state.credentials[index].userID == userID else { throw CTAPStatus.invalidParameter }
                state.credentials[index].userName = user[textKey: "name"]?.textValue
                state.credentials[index].userDisplayName = user[textKey: "displayName"]?.textValue
                persist()
            }
            return nil
        default:
            throw CTAPStatus.invalidParameter
        }
    }

    private func rpIDForHash(_ hash: [UInt8]?) throws -> String? {
        guard let hash else { throw CTAPStatus.missingParameter }
        return stateLock.withLock { state.credentials.first { $0.rpIDHash == hash }?.rpID }
    }

    private func rpEntry(_ credential: StoredCredential) -> [CBOR: CBOR] {
        var rp: [CBOR: CBOR] = ["id": .text(credential.rpID ?? "")]
        if let name = credential.rpName { rp["name"] = .text(name) }
        return [3: .map(rp), 4: .bytes(credential.rpIDHash)]
    }

    private func credentialEntry(_ credential: StoredCredential) throws -> [CBOR: CBOR] {
        guard let key = CredentialKey(alg: credential.alg, raw: credential.privateKey) else { throw CTAPStatus.other }
        var user: [CBOR: CBOR] = ["id": .bytes(credential.userID)]
        if let name = credential.userName { user["name"] = .text(name) }
        if let display = credential.userDisplayName { user["displayName"] = .text(display) }
        return [
            6: .map(user),
            7: ["id": .bytes(credential.id), "type": "public-key"],
            8: key.cosePublicKey,
            10: .int(credential.credProtect),
        ]
    }
}
