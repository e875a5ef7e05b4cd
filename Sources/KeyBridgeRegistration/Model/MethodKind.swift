/// The authentication methods of combined security-info registration, with the rules of the
/// method table (register / change / delete) and the notes under it.
public enum MethodKind: String, Codable, Sendable, CaseIterable {
    /// Microsoft-Authenticator-style app: push notifications or passwordless.
    case authenticatorApp
    /// Any other authenticator app (TOTP codes).
    case otherAuthenticatorApp
    /// An OATH hardware token: imported by admins, activated by the user.
    case hardwareToken
    case phone
    case alternatePhone
    case officePhone
    case email
    case securityQuestions
    case appPassword
    case fido2SecurityKey

    /// "Register" column: everything but hardware tokens.
    public var userCanRegister: Bool { self != .hardwareToken }

    /// "Change" column: the phones and e-mail.
    public var userCanChange: Bool { [.phone, .alternatePhone, .officePhone, .email].contains(self) }

    /// "Delete" column: every method.
    public var userCanDelete: Bool { true }

    /// "Yes (maximum of 5)" for both app kinds.
    public var maximumPerUser: Int? { [.authenticatorApp, .otherAuthenticatorApp].contains(self) ? 5 : nil }

    /// Whether the method satisfies multifactor authentication.
    public var servesMFA: Bool { ![.email, .securityQuestions].contains(self) }

    /// Whether the method can reset a password (SSPR).
    public var servesSSPR: Bool { ![.appPassword, .fido2SecurityKey].contains(self) }

    /// Higher is more secure; registration shows methods from most to least secure.
    public var securityRank: Int {
        switch self {
        case .fido2SecurityKey: 100
        case .authenticatorApp: 90
        case .hardwareToken: 80
        case .otherAuthenticatorApp: 70
        case .phone: 50
        case .alternatePhone: 45
        case .officePhone: 40
        case .email: 30
        case .appPassword: 20
        case .securityQuestions: 10
        }
    }

    /// The four kinds a user may pick as default MFA method: Authenticator push/passwordless,
    /// an app or hardware-token code, phone call, text message.
    public var canBeDefaultMFA: Bool { [.authenticatorApp, .otherAuthenticatorApp, .hardwareToken, .phone].contains(self) }

    /// Push notifications (and passwordless sign-in) need the Microsoft-Authenticator-style app;
    /// third-party authenticator apps only give codes.
    public var supportsPushNotification: Bool { self == .authenticatorApp }

    /// Kinds interrupt mode never offers: FIDO2 keys and alternate phone are manage-mode only.
    public var manageModeOnly: Bool { self == .fido2SecurityKey || self == .alternatePhone }
}
