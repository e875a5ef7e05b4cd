import Foundation

/// The messages a person sees, in English and German, chosen by an explicit language code (the
/// `?lng=` of the security-info pages). Unknown languages fall back to English.
public struct MessageCatalog: Sendable {
    /// The languages with a catalog.
    public static let languages = ["en", "de"]

    public let language: String
    private let messages: [String: String]
    private let fallback: [String: String]

    /// The catalog for `code` (`de`, `de-AT`, `en` …); English when there is none for it.
    public init(language code: String) {
        let base = String(code.lowercased().prefix { $0 != "-" && $0 != "_" })
        language = Self.languages.contains(base) ? base : "en"
        fallback = Self.load("en")
        messages = language == "en" ? fallback : Self.load(language)
    }

    /// The message for `key`, with `{name}` placeholders filled in.
    public func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
        var text = messages[key] ?? fallback[key] ?? key
        for (name, value) in arguments { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// A method's name.
    public func name(of kind: MethodKind) -> String { text("method.\(kind.rawValue)") }

    /// A refusal as a person reads it.
    public func message(for error: RegistrationError) -> String {
        switch error {
        case .limitReached(let kind, _): text("error.limitReached", ["method": name(of: kind)])
        case .cannotRegister(let kind): text("error.cannotRegister", ["method": name(of: kind)])
        case .cannotChange(let kind): text("error.cannotChange", ["method": name(of: kind)])
        case .methodDisabled(let kind): text("error.methodDisabled", ["method": name(of: kind)])
        case .mfaProofRejected: text("error.wrongCode")
        default:
            messages["error.\(error.code)"] != nil || fallback["error.\(error.code)"] != nil
                ? text("error.\(error.code)") : text("error.generic", ["code": error.code])
        }
    }

    /// Every key of a language's catalog.
    /// The message a person reads for a refusal: the catalog's sentence, then the specifics
    /// (every interface — CLI, kiosk, server — shows refusals this way).
    public func sentence(for error: RegistrationError) -> String {
        let text = message(for: error)
        guard let detail = error.detail, !text.contains(detail) else { return text }
        return "\(text) (\(detail))"
    }

    public static func keys(_ language: String) -> Set<String> { Set(load(language).keys) }

    private static func load(_ language: String) -> [String: String] {
        guard let url = Bundle.module.url(forResource: "messages-\(language)", withExtension: "json"),
            let data = try? Data(contentsOf: url),
            let messages = try? JSONDecoder().decode([String: String].self, from: data)
        else { return [:] }
        return messages
    }
}
