/// The kind of an OATH credential.
public enum OATHKind: String, Codable, Sendable {
    case totp
    case hotp

    package var typeBits: UInt8 { self == .hotp ? 0x10 : 0x20 }
}

/// An OATH account as a YKOATH card stores it. Its name on the card is
/// `[period/][issuer:]account`, the period part only for TOTP with a period other than 30.
public struct OATHCredential: Codable, Sendable, Equatable, Hashable {
    public var issuer: String?
    public var account: String
    public var kind: OATHKind
    public var algorithm: OTPAlgorithm
    public var period: Int
    /// Whether the card needs a touch before it computes a code (known from CALCULATE ALL).
    public var touchRequired: Bool?

    public init(
        issuer: String?, account: String, kind: OATHKind = .totp, algorithm: OTPAlgorithm = .sha1, period: Int = 30,
        touchRequired: Bool? = nil
    ) {
        self.issuer = issuer
        self.account = account
        self.kind = kind
        self.algorithm = algorithm
        self.period = period
        self.touchRequired = touchRequired
    }

    /// The name the card stores.
    public var name: String {
        var name = kind == .totp && period != 30 ? "\(period)/" : ""
        if let issuer { name += "\(issuer):" }
        return name + account
    }

    /// Parses a card name: optional digits and a slash, optional text and a colon, the rest.
    public init(name: String, kind: OATHKind, algorithm: OTPAlgorithm) {
        var rest = Substring(name)
        var period = 30
        if kind == .totp, let slash = rest.firstIndex(of: "/"), let value = Int(rest[..<slash]), value > 0 {
            period = value
            rest = rest[rest.index(after: slash)...]
        }
        var issuer: String?
        if let colon = rest.firstIndex(of: ":") {
            issuer = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }
        self.init(issuer: issuer, account: String(rest), kind: kind, algorithm: algorithm, period: period)
    }
}

/// The result of computing a code on the card.
public enum OATHCode: Sendable, Equatable {
    /// A code, valid from one time to another (TOTP) or for the next use (HOTP).
    case value(String)
    /// An HOTP account: not computed by CALCULATE ALL (it would advance the counter).
    case hotpNotComputed
    /// The card needs a touch before computing this code.
    case touchRequired
}
