/// OATH failures, with stable names.
public enum OATHError: Error, Sendable, Equatable {
    /// An otpauth:// URI is malformed; the text says what is wrong.
    case malformedURI(String)
    /// A credential field is invalid (name too long, digits out of range, …).
    case invalidCredential(String)
    /// The card has no OATH applet.
    case noOATHApplet
    /// The applet is password protected and was not unlocked.
    case authenticationRequired
    /// The password was wrong (or the card's answer to our challenge was).
    case wrongPassword
    /// No credential with that name on the card.
    case noSuchCredential(String)
    /// The card has no room for another credential.
    case noSpace
    /// The card's reply could not be parsed.
    case malformedResponse(String)
    /// The card returned an unexpected status word.
    case status(UInt16)
    /// The link to the card failed (a PC/SC failure: its stable code and its message).
    case transport(code: String, message: String)

    public var code: String {
        switch self {
        case .malformedURI: "malformedURI"
        case .invalidCredential: "invalidCredential"
        case .noOATHApplet: "noOATHApplet"
        case .authenticationRequired: "authenticationRequired"
        case .wrongPassword: "wrongPassword"
        case .noSuchCredential: "noSuchCredential"
        case .noSpace: "noSpace"
        case .malformedResponse: "malformedResponse"
        case .status: "status"
        case .transport(let code, _): code
        }
    }
}

extension OATHError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .malformedURI(let detail): "Malformed otpauth:// URI: \(detail)."
        case .invalidCredential(let detail): "Invalid OATH credential: \(detail)."
        case .noOATHApplet: "This key has no OATH applet."
        case .authenticationRequired: "The OATH applet is password protected: give the password with --password-file or KEYBRIDGE_OATH_PASSWORD."
        case .wrongPassword: "Wrong OATH password."
        case .noSuchCredential(let name): "No OATH account named \"\(name)\" on the key: list them with `keybridge oath list`."
        case .noSpace: "The key has no room for another OATH account: delete one first."
        case .malformedResponse(let detail): "The key sent a malformed OATH reply (\(detail))."
        case .status(let sw): "The key answered status \(String(format: "%04X", sw))."
        case .transport(_, let message): message
        }
    }
}
