import Crypto
import Foundation
import KeyBridgeCBOR

extension VirtualAuthenticator {
    /// authenticatorReset (0x07): needs a touch; wipes credentials and the PIN.
    func reset(_ context: RequestContext) throws -> CBOR? {
        if let window = configuration.resetWindowMilliseconds,
            Date().timeIntervalSince(poweredUp) * 1000 > Double(window)
        {
            throw CTAPStatus.notAllowed
        }
        try requirePresence(context)
        stateLock.withLock {
            state.credentials = []
            state.pinHash = nil
            state.pinLength = 0
            state.pinRetries = 8
            state.uvRetries = 8
            state.minPINLength = 4
            state.forcePINChange = false
            state.minPINLengthRPIDs = []
            state.alwaysUV = false
            keyAgreementKey = P256.KeyAgreement.PrivateKey()
            consecutivePINFailures = 0
            token = nil
            enumeration = nil
            persist()
        }
        return nil
    }

    /// authenticatorConfig (0x0D), CTAP 2.1 §6.11: setMinPINLength (with forceChangePin) and
    /// toggleAlwaysUv. A key configured without it answers CTAP1_ERR_INVALID_COMMAND.
    func config(_ parameters: CBOR) throws -> CBOR? {
        guard configuration.authenticatorConfig else { throw CTAPStatus.invalidCommand }
        let p = Parameters(parameters)
        guard let subCommand = try p.int(1) else { throw CTAPStatus.missingParameter }
        let params = try p.mapValue(2)
        if isProtected {
            guard let auth = try p.bytes(4) else { throw CTAPStatus.puatRequired }
            var message = [UInt8](repeating: 0xFF, count: 32) + [0x0D, UInt8(truncatingIfNeeded: subCommand)]
            if let params { message += CBOREncoder.encode(params) }
            try verifyToken(
                param: auth, protocolNumber: try p.int(3), message: message, permission: .authenticatorConfiguration,
                rpID: nil)
        }
        switch subCommand {
        case 0x02:  // toggleAlwaysUv
            stateLock.withLock {
                state.alwaysUV.toggle()
                persist()
            }
            return nil
        case 0x03:
            try setMinPINLength(params)
            return nil
        default:
            throw CTAPStatus.invalidCommand
        }
    }

    /// setMinPINLength (§6.11.4). Every check comes before any change, so a refused request
    /// leaves the state as it was. The minimum only ever rises; a PIN shorter than the new
    /// minimum, or forceChangePin, makes getPinToken fail with PIN_POLICY_VIOLATION until
    /// the PIN is changed.
    private func setMinPINLength(_ params: CBOR?) throws {
        let requestedLength = params?[intKey: 1]
        let rpIDs = params?[intKey: 2]
        let forceChange = params?[intKey: 3]
        if let requestedLength, requestedLength.intValue == nil { throw CTAPStatus.cborUnexpectedType }
        if let rpIDs, rpIDs.arrayValue == nil { throw CTAPStatus.cborUnexpectedType }
        if let forceChange, forceChange.boolValue == nil { throw CTAPStatus.cborUnexpectedType }
        try stateLock.withLock {
            let newLength = requestedLength?.intValue ?? state.minPINLength
            guard newLength >= state.minPINLength, newLength <= 63 else { throw CTAPStatus.pinPolicyViolation }
            let names = rpIDs?.arrayValue?.compactMap(\.textValue)
            if let names, names.count > Self.maxRPIDsForSetMinPINLength { throw CTAPStatus.keyStoreFull }
            let forced = forceChange?.boolValue == true
            if forced && state.pinHash == nil { throw CTAPStatus.pinNotSet }

            state.minPINLength = newLength
            if let names { state.minPINLengthRPIDs = names }
            if forced || (state.pinHash != nil && state.pinLength < newLength) { state.forcePINChange = true }
            persist()
        }
    }

    /// How many RP ids setMinPINLength accepts (getInfo key 0x10).
    static let maxRPIDsForSetMinPINLength = 4
}
