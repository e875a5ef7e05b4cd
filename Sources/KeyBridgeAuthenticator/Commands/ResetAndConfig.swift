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

    /// authenticatorConfig (0x0D): setMinPINLength (with forceChangePin) and toggleAlwaysUv.
    func config(_ parameters: CBOR) throws -> CBOR? {
        let p = Parameters(parameters)
        guard let subCommand = try p.int(1) else { throw CTAPStatus.missingParameter }
        let params = try p.mapValue(2)
        if isProtected {
            guard let auth = try p.bytes(4) else { throw CTAPStatus.puatRequired }
            var message = [UInt8](repeating: 0xFF, count: 32) + [0x0D, UInt8(subCommand)]
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
        case 0x03:  // setMinPINLength
            try stateLock.withLock {
                if let newLength = params?[intKey: 1]?.intValue {
                    guard newLength >= state.minPINLength, newLength <= 63 else { throw CTAPStatus.pinPolicyViolation }
                    state.minPINLength = newLength
                    if state.pinHash != nil && state.pinLength < newLength { state.forcePINChange = true }
                }
                if let rpIDs = params?[intKey: 2]?.arrayValue {
                    state.minPINLengthRPIDs = rpIDs.compactMap(\.textValue)
                }
                if params?[intKey: 3]?.boolValue == true {
                    guard state.pinHash != nil else { throw CTAPStatus.pinNotSet }
                    state.forcePINChange = true
                }
                persist()
            }
            return nil
        default:
            throw CTAPStatus.invalidCommand
        }
    }
}
