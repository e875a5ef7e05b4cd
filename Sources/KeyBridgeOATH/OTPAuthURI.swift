import Foundation

/// An `otpauth://` key URI (the Google Authenticator key-URI format): type, label
/// (`issuer:account`), secret (Base32), issuer, algorithm, digits, period, counter.
public struct OTPAuthURI: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case totp
        case hotp
    }

    public var kind: Kind
    public var issuer: String?
    public var account: String
    public var secret: [UInt8]
    public var algorithm: OTPAlgorithm
    public var digits: Int
    /// TOTP step in seconds.
    public var period: Int
    /// HOTP initial counter.
    public var counter: UInt64

    public init(
        kind: Kind, issuer: String?, account: String, secret: [UInt8], algorithm: OTPAlgorithm = .sha1,
        digits: Int = 6, period: Int = 30, counter: UInt64 = 0
    ) {
        self.kind = kind
        self.issuer = issuer
        self.account = account
        self.secret = secret
        self.algorithm = algorithm
        self.digits = digits
        self.period = period
        self.counter = counter
    }

    /// Parses a URI, with a typed error naming the first thing that is wrong.
    public init(parsing text: String) throws(OATHError) {
        guard let components = URLComponents(string: text), components.scheme?.lowercased() == "otpauth" else {
            throw .malformedURI("it must start with otpauth://")
        }
        guard let kind = Kind(rawValue: (components.host ?? "").lowercased()) else {
            throw .malformedURI("the type must be totp or hotp, got \"\(components.host ?? "")\"")
        }
        let label = String(components.path.drop(while: { $0 == "/" }))
        guard !label.isEmpty else { throw .malformedURI("the label (account name) is missing") }
        var labelIssuer: String?
        var account = label
        if let colon = label.firstIndex(of: ":") {
            labelIssuer = String(label[..<colon]).trimmingCharacters(in: .whitespaces)
            account = String(label[label.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name.lowercased()] = item.value ?? "" }
        guard let secretText = query["secret"], !secretText.isEmpty else {
            throw .malformedURI("the secret parameter is missing")
        }
        guard let secret = Base32.decode(secretText), !secret.isEmpty else {
            throw .malformedURI("the secret is not Base32 (letters A–Z and digits 2–7)")
        }
        var algorithm = OTPAlgorithm.sha1
        if let name = query["algorithm"] {
            guard let parsed = OTPAlgorithm(name: name) else {
                throw .malformedURI("the algorithm must be SHA1, SHA256 or SHA512, got \"\(name)\"")
            }
            algorithm = parsed
        }
        var digits = 6
        if let text = query["digits"] {
            guard let value = Int(text), (6...8).contains(value) else {
                throw .malformedURI("digits must be 6, 7 or 8, got \"\(text)\"")
            }
            digits = value
        }
        var period = 30
        if let text = query["period"] {
            guard let value = Int(text), value > 0, value <= 3600 else {
                throw .malformedURI("period must be a positive number of seconds, got \"\(text)\"")
            }
            period = value
        }
        var counter: UInt64 = 0
        if let text = query["counter"] {
            guard let value = UInt64(text) else { throw .malformedURI("counter must be a whole number, got \"\(text)\"") }
            counter = value
        } else if kind == .hotp {
            throw .malformedURI("an hotp URI needs a counter parameter")
        }
        if let issuer = query["issuer"], let labelIssuer, !issuer.isEmpty, issuer != labelIssuer {
            throw .malformedURI("the issuer parameter (\(issuer)) differs from the label's (\(labelIssuer))")
        }
        self.init(
            kind: kind, issuer: query["issuer"].flatMap { $0.isEmpty ? nil : $0 } ?? labelIssuer, account: account,
            secret: secret, algorithm: algorithm, digits: digits, period: period, counter: counter)
    }

    /// The URI text.
    public var uriString: String {
        var components = URLComponents()
        components.scheme = "otpauth"
        components.host = kind.rawValue
        components.path = "/" + (issuer.map { "\($0):" } ?? "") + account
        var items = [URLQueryItem(name: "secret", value: Base32.encode(secret))]
        if let issuer { items.append(URLQueryItem(name: "issuer", value: issuer)) }
        items.append(URLQueryItem(name: "algorithm", value: algorithm.rawValue))
        items.append(URLQueryItem(name: "digits", value: String(digits)))
        if kind == .totp {
            items.append(URLQueryItem(name: "period", value: String(period)))
        } else {
            items.append(URLQueryItem(name: "counter", value: String(counter)))
        }
        components.queryItems = items
        return components.string ?? ""
    }
}
