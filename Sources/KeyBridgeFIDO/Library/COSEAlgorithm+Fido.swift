import CFido2
import KeyBridgeWebAuthn

extension COSEAlgorithm {
    /// libfido2's COSE type constant.
    var fidoType: Int32 {
        switch self {
        case .es256: COSE_ES256
        case .edDSA: COSE_EDDSA
        case .rs256: COSE_RS256
        }
    }
}
