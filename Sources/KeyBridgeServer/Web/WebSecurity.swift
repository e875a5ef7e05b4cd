import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import KeyBridgeRegistration
import KeyBridgeWebAuthn

/// The pages' protections: headers on every response, the session and pre-sign-in cookies, and
/// CSRF tokens (a form or script request must carry a token only the page could have read).
enum WebSecurity {
    static let sessionCookie = "kb_session"
    static let formCookie = "kb_form"

    /// Every page response: no inline script or style, nothing from elsewhere, never framed.
    static let headers: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-store",
    ]

    /// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, and Secure when served over TLS;
    /// an empty value with `Max-Age=0` removes the cookie.
    static func cookie(_ name: String, _ value: String, secure: Bool) -> String {
        var text = "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict"
        if value.isEmpty { text += "; Max-Age=0" }
        if secure { text += "; Secure" }
        return text
    }

    /// The CSRF token of a signed-in page: derived from the session token (which scripts cannot
    /// read: the cookie is HttpOnly), so it needs no storage and dies with the session.
    static func csrfToken(session: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Array("keybridge-csrf:\(session)".utf8))))
    }

    /// Whether `presented` is `expected`, compared in constant time.
    static func matches(_ presented: String?, _ expected: String?) -> Bool {
        guard let presented, let expected, !expected.isEmpty else { return false }
        return ConstantTime.equal(Array(presented.utf8), Array(expected.utf8))
    }

    /// A fresh random value for the pre-sign-in form cookie.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}

/// Adds ``WebSecurity/headers`` to every response of the pages' routes (errors included).
struct WebSecurityHeaders<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        for field in WebSecurity.headers where response.headers[field.name] == nil { response.headers.append(field) }
        return response
    }
}

extension Request {
    /// A cookie's value from the `Cookie` header.
    func cookie(_ name: String) -> String? {
        for header in headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == name { return parts[1] }
            }
        }
        return nil
    }
}
