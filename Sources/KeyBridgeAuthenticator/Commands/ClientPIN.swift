import Crypto
import Foundation
import KeyBridgeCBOR

extension VirtualAuthenticator {
    /// authenticatorClientPIN (0x06), CTAP 2.1 §6.5.5.
    func clientPIN(_ parameters: CBOR) throws -> CBOR? {
        let p = Parameters(parameters)
        guard let subCommand = try p.int(2) else { throw CTAPStatus.missingParameter }
        switch subCommand {
        case 0x01:  // getPINRetries
            return stateLock.withLock { [3: .int(state.pinRetries), 4: false] }
        case 0x07:  // getUVRetries
            guard configuration.builtInUV != .none else { throw CTAPStatus.invalidParameter }
            return stateLock.withLock { [5: .int(state.uvRetries)] }
        default:
            break
        }
        guard let protocolNumber = try p.int(1) else { throw CTAPStatus.missingParameter }
        guard let pinProtocol = PINUVAuthProtocol(rawValue: protocolNumber) else { throw CTAPStatus.invalidParameter }
        switch subCommand {
        case 0x02:  // getKeyAgreement
            return stateLock.withLock { [1: coseKeyAgreementKey(keyAgreementKey)] }
        case 0x03:
            return try setPIN(p, pinProtocol)
        case 0x04:
            return try changePIN(p, pinProtocol)
        case 0x05:
            return try pinToken(p, pinProtocol, permissions: [.makeCredential, .getAssertion], rpID: nil, legacy: true)
        case 0x06:
            return try uvToken(p, pinProtocol)
        case 0x09:
            guard let raw = try p.int(9) else { throw CTAPStatus.missingParameter }
            let permissions = PINToken.Permissions(rawValue: raw)
            guard !permissions.isEmpty else { throw CTAPStatus.invalidParameter }
            if !permissions.isDisjoint(with: [.bioEnrollment, .largeBlobWrite]) {
                throw CTAPStatus.unauthorizedPermission
            }
            let rpID = try p.text(10)
            if !permissions.isDisjoint(with: [.makeCredential, .getAssertion]) && rpID == nil {
                throw CTAPStatus.missingParameter
            }
            return try pinToken(p, pinProtocol, permissions: permissions, rpID: rpID, legacy: false)
        default:
            throw CTAPStatus.invalidParameter
        }
    }

    private func sharedSecret(_ p: Parameters, _ pinProtocol: PINUVAuthProtocol) throws -> [UInt8] {
        guard let platformKey = try p.mapValue(3) else { throw CTAPStatus.missingParameter }
        guard let shared = stateLock.withLock({ pinProtocol.sharedSecret(ourKey: keyAgreementKey, platformKey: platformKey) })
        else { throw CTAPStatus.invalidParameter }
        return shared
    }

    /// Decrypts newPinEnc and checks the PIN policy; returns the PIN bytes.
    private func decryptNewPIN(_ encrypted: [UInt8], shared: [UInt8], _ pinProtocol: PINUVAuthProtocol) throws -> [UInt8] {
        guard encrypted.count == (pinProtocol == .one ? 64 : 80),
            let padded = pinProtocol.decrypt(shared: shared, encrypted), padded.count == 64
        else { throw CTAPStatus.invalidParameter }
        let pin = Array(padded.prefix { $0 != 0 })
        guard pin.count <= 63, let text = String(validating: pin, as: UTF8.self),
            text.unicodeScalars.count >= stateLock.withLock({ state.minPINLength })
        else { throw CTAPStatus.pinPolicyViolation }
        return pin
    }

    private func storePIN(_ pin: [UInt8]) {
        stateLock.withLock {
            state.pinHash = Array(SHA256.hash(data: pin).prefix(16))
            state.pinLength = String(decoding: pin, as: UTF8.self).unicodeScalars.count
            state.pinRetries = 8
            state.forcePINChange = false
            consecutivePINFailures = 0
            token = nil
            persist()
        }
    }

    private func setPIN(_ p: Parameters, _ pinProtocol: PINUVAuthProtocol) throws -> CBOR? {
        let newPinEnc = try p.requiredBytes(5)
        let auth = try p.requiredBytes(4)
        let shared = try sharedSecret(p, pinProtocol)
        // CTAP 2.1 §6.5.5.5: a PIN already set is PIN_AUTH_INVALID.
        guard stateLock.withLock({ state.pinHash == nil }) else { throw CTAPStatus.pinAuthInvalid }
        guard pinProtocol.verifyWithShared(shared: shared, message: newPinEnc, signature: auth) else {
            throw CTAPStatus.pinAuthInvalid
        }
        storePIN(try decryptNewPIN(newPinEnc, shared: shared, pinProtocol))
        return nil
    }

    private func changePIN(_ p: Parameters, _ pinProtocol: PINUVAuthProtocol) throws -> CBOR? {
        let newPinEnc = try p.requiredBytes(5)
        let pinHashEnc = try p.requiredBytes(6)
        let auth = try p.requiredBytes(4)
        let shared = try sharedSecret(p, pinProtocol)
        try checkPINUsable()
        guard pinProtocol.verifyWithShared(shared: shared, message: newPinEnc + pinHashEnc, signature: auth) else {
            throw CTAPStatus.pinAuthInvalid
        }
        try verifyPINHash(pinHashEnc, shared: shared, pinProtocol)
        storePIN(try decryptNewPIN(newPinEnc, shared: shared, pinProtocol))
        return nil
    }

    private func pinToken(
        _ p: Parameters, _ pinProtocol: PINUVAuthProtocol, permissions: PINToken.Permissions, rpID: String?,
        legacy: Bool
    ) throws -> CBOR? {
        let pinHashEnc = try p.requiredBytes(6)
        let shared = try sharedSecret(p, pinProtocol)
        try checkPINUsable()
        try verifyPINHash(pinHashEnc, shared: shared, pinProtocol)
        if stateLock.withLock({ state.forcePINChange }) { throw CTAPStatus.pinPolicyViolation }
        return issueToken(pinProtocol, shared: shared, permissions: permissions, rpID: rpID)
    }

    private func uvToken(_ p: Parameters, _ pinProtocol: PINUVAuthProtocol) throws -> CBOR? {
        guard configuration.builtInUV != .none else { throw CTAPStatus.invalidParameter }
        guard let raw = try p.int(9), raw != 0 else { throw CTAPStatus.missingParameter }
        let shared = try sharedSecret(p, pinProtocol)
        try performBuiltInUV()
        return issueToken(pinProtocol, shared: shared, permissions: PINToken.Permissions(rawValue: raw), rpID: try p.text(10))
    }

    /// Runs built-in user verification, counting down its retries on failure.
    func performBuiltInUV() throws {
        try stateLock.withLock {
            guard state.uvRetries > 0 else { throw CTAPStatus.uvBlocked }
            if configuration.builtInUV == .deny {
                state.uvRetries -= 1
                persist()
                throw state.uvRetries == 0 ? CTAPStatus.uvBlocked : CTAPStatus.uvInvalid
            }
            state.uvRetries = 8
        }
    }

    private func issueToken(
        _ pinProtocol: PINUVAuthProtocol, shared: [UInt8], permissions: PINToken.Permissions, rpID: String?
    ) -> CBOR {
        stateLock.withLock {
            let value = Self.randomBytes(32)
            token = PINToken(value: value, permissions: permissions, rpID: rpID, protocolVersion: pinProtocol)
            return [2: .bytes(pinProtocol.encrypt(shared: shared, value))]
        }
    }

    /// Refuses PIN use while blocked (all retries used, or three wrong in a row).
    private func checkPINUsable() throws {
        try stateLock.withLock {
            guard state.pinHash != nil else { throw CTAPStatus.pinNotSet }
            guard state.pinRetries > 0 else { throw CTAPStatus.pinBlocked }
            guard consecutivePINFailures < 3 else { throw CTAPStatus.pinAuthBlocked }
        }
    }

    /// Compares pinHashEnc with the stored PIN hash, applying CTAP 2.1's retry rules.
    private func verifyPINHash(_ pinHashEnc: [UInt8], shared: [UInt8], _ pinProtocol: PINUVAuthProtocol) throws {
        try stateLock.withLock {
            state.pinRetries -= 1
            persist()
            let decrypted = pinProtocol.decrypt(shared: shared, pinHashEnc)
            guard let decrypted, decrypted.count == 16, decrypted == state.pinHash else {
                keyAgreementKey = P256.KeyAgreement.PrivateKey()
                consecutivePINFailures += 1
                if state.pinRetries == 0 { throw CTAPStatus.pinBlocked }
                if consecutivePINFailures >= 3 { throw CTAPStatus.pinAuthBlocked }
                throw CTAPStatus.pinInvalid
            }
            state.pinRetries = 8
            consecutivePINFailures = 0
            persist()
        }
    }

    /// Checks pinUvAuthParam = authenticate(token, message) and the token's permission and RP.
    /// Returns normally when the token may be used; binds an unbound token to `rpID`.
    func verifyToken(
        param: [UInt8], protocolNumber: Int?, message: [UInt8], permission: PINToken.Permissions, rpID: String?
    ) throws {
        guard let protocolNumber else { throw CTAPStatus.missingParameter }
        guard let pinProtocol = PINUVAuthProtocol(rawValue: protocolNumber) else { throw CTAPStatus.invalidParameter }
        try stateLock.withLock {
            guard let current = token, current.protocolVersion == pinProtocol,
                pinProtocol.verify(key: current.value, message: message, signature: param)
            else { throw CTAPStatus.pinAuthInvalid }
            guard current.permissions.contains(permission) else { throw CTAPStatus.pinAuthInvalid }
            if let bound = current.rpID, let rpID, bound != rpID { throw CTAPStatus.pinAuthInvalid }
            if current.rpID == nil, let rpID, !permission.isDisjoint(with: [.makeCredential, .getAssertion]) {
                token?.rpID = rpID
            }
        }
    }
}
