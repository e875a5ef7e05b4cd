import Foundation
import HTTPTypes
import Hummingbird
import KeyBridgeRegistration
import Mustache

/// The pages' templates (swift-mustache, HTML-escaped by default), their strings in English and
/// German, and the two static files; all read once from the target's resources.
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let strings: [String: [String: String]]
    let stylesheet: ByteBuffer
    let script: ByteBuffer

    static let languages = ["en", "de"]

    init() throws {
        guard let root = Bundle.module.resourceURL?.appendingPathComponent("web") else {
            throw GraphError(status: .internalServerError, code: "generalException", message: "The web resources are missing.")
        }
        var templates: [String: MustacheTemplate] = [:]
        for name in ["header", "footer", "signin", "security-info", "message", "register", "review", "done"] {
            let text = try String(contentsOf: root.appendingPathComponent("templates/\(name).mustache"), encoding: .utf8)
            templates[name] = try MustacheTemplate(string: text)
        }
        library = MustacheLibrary(templates: templates)
        var strings: [String: [String: String]] = [:]
        for language in Self.languages {
            let data = try Data(contentsOf: root.appendingPathComponent("strings/\(language).json"))
            strings[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        self.strings = strings
        stylesheet = ByteBuffer(data: try Data(contentsOf: root.appendingPathComponent("static/keybridge.css")))
        script = ByteBuffer(data: try Data(contentsOf: root.appendingPathComponent("static/keybridge.js")))
    }

    /// A string of `language` (English when the language lacks it).
    func text(_ key: String, _ language: String) -> String {
        strings[language]?[key] ?? strings["en"]?[key] ?? key
    }

    /// A page: `template` with `values` (nil values left out, so sections for them do not show),
    /// the strings (`t`) and the language, as `text/html`.
    func page(_ template: String, title: String, language: PageLanguage, values: [String: Any?], status: HTTPResponse.Status = .ok)
        -> Response
    {
        var context = values.compactMapValues { $0 }
        context["t"] = strings[language.code] ?? [:]
        context["lang"] = language.code
        context["lngQuery"] = language.query
        context["title"] = title
        let html = library.render(context, withTemplate: template) ?? ""
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

/// The page language: `?lng=de|en` when given (kept in links and forms), else the browser's
/// Accept-Language, else English.
struct PageLanguage: Sendable {
    var code: String
    /// `?lng=…` when the language was chosen in the address, to carry it on; empty otherwise.
    var query: String

    init(_ request: Request) {
        if let chosen = request.uri.queryParameters["lng"].map({ String($0).lowercased() }), PageRenderer.languages.contains(chosen) {
            code = chosen
            query = "?lng=\(chosen)"
        } else {
            let accepted = request.headers[.acceptLanguage]?.lowercased() ?? ""
            code = accepted.hasPrefix("de") ? "de" : "en"
            query = ""
        }
    }

    /// `query` joined to another query item (`?done=x&lng=de`).
    func with(_ item: String) -> String { query.isEmpty ? "?\(item)" : "?\(item)&\(query.dropFirst())" }
}
