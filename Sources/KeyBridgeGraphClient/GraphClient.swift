import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A client of Microsoft Graph's FIDO2 authentication-method resources, as `keybridge serve`
/// serves them (and as Entra ID's Graph does): creation options, registration, listing and
/// deletion of a user's security keys on their behalf, with a bearer token.
///
/// Every call is bounded by ``timeout`` and stops when its task is cancelled. Refusals come back
/// as ``RegistrationError`` (mapped from `error.innerError.code`, so a refusal reads the same as
/// from a local directory); a server that cannot be reached, fails (HTTP 5xx), rejects the token
/// or answers with something else throws ``RemoteDirectoryError`` naming the server; a cancelled
/// call throws `CancellationError`. The token is never part of a description or an error.
public struct GraphClient: Sendable, CustomStringConvertible, CustomReflectable {
    /// The API's base URL (`https://host:8080`, `https://graph.microsoft.com/beta`).
    public let baseURL: URL
    /// The tenant to act in (keybridge's `?tenant=` extension); nil for the token's.
    public var tenant: String?
    /// How long one request may take, connection included.
    public var timeout: Duration
    private let token: String
    private let session: URLSession

    /// - Throws: ``RemoteDirectoryError`` (`unexpectedResponse`) when `server` is not an
    ///   http(s) URL.
    public init(server: String, token: String, tenant: String? = nil, timeout: Duration = .seconds(30)) throws {
        let trimmed = server.hasSuffix("/") ? String(server.dropLast()) : server
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil
        else {
            throw RemoteDirectoryError(
                .unexpectedResponse, server: server, message: "\(server) is not a server URL: give http(s)://host[:port][/path].")
        }
        baseURL = url
        self.token = token.trimmingCharacters(in: .whitespacesAndNewlines)
        self.tenant = tenant
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    /// The server as people read it: scheme, host, port and path (no credentials, no query).
    public var server: String {
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)
        components?.user = nil
        components?.password = nil
        components?.query = nil
        return components?.string ?? baseURL.absoluteString
    }

    public var description: String { "GraphClient(\(server))" }
    public var customMirror: Mirror { Mirror(self, children: ["server": server, "tenant": tenant as Any], displayStyle: .struct) }

    // MARK: Resources

    /// `GET /users/{upn}/authentication/fido2Methods/creationOptions(challengeTimeoutInMinutes=N)`.
    public func creationOptions(user: String, challengeTimeoutInMinutes: Int? = nil) async throws -> FIDO2CreationOptions {
        let item = challengeTimeoutInMinutes.map { "creationOptions(challengeTimeoutInMinutes=\($0))" } ?? "creationOptions"
        let body = try await send("GET", Self.userPath(user) + "/authentication/fido2Methods/" + item, notFound: .userNotFound(user))
        return try decoding { try GraphDecoding.creationOptions(body) }
    }

    /// `POST /users/{upn}/authentication/fido2Methods`: the server verifies and stores the key.
    /// The returned method carries what the server stored plus what `response` tells (the
    /// credential id and signature counter, which Graph's type does not show).
    public func addFIDO2Method(user: String, response: RegistrationResponseJSON, displayName: String?) async throws
        -> RegisteredMethod
    {
        var credential: [String: Any] = [
            "id": response.id,
            "response": [
                "clientDataJSON": response.response.clientDataJSON ?? "", "attestationObject": response.response.attestationObject,
            ],
            "clientExtensionResults":
                (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(response.clientExtensionResults))) ?? [:],
        ]
        if !response.response.transports.isEmpty {
            var inner = credential["response"] as? [String: Any] ?? [:]
            inner["transports"] = response.response.transports
            credential["response"] = inner
        }
        var object: [String: Any] = ["publicKeyCredential": credential]
        if let displayName { object["displayName"] = displayName }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let body = try await send("POST", Self.userPath(user) + "/authentication/fido2Methods", body: data, notFound: .userNotFound(user))
        return try decoding {
            guard var method = try GraphDecoding.method(body, upn: user, tenant: tenant ?? "") else {
                throw GraphDecoding.Failure("the answer is not a fido2AuthenticationMethod")
            }
            GraphDecoding.complete(&method, with: response)
            return method
        }
    }

    /// `GET /users/{upn}/authentication/methods`: the user's methods that keybridge's method
    /// table knows (passwords, passes and other Graph types are left out).
    public func methods(user: String) async throws -> GraphDecoding.MethodList {
        let body = try await send("GET", Self.userPath(user) + "/authentication/methods", notFound: .userNotFound(user))
        return try decoding { try GraphDecoding.methods(body, upn: user, tenant: tenant) }
    }

    /// `DELETE /users/{upn}/authentication/fido2Methods/{id}` (the credential stays on the key).
    public func deleteFIDO2Method(user: String, id: String) async throws {
        _ = try await send(
            "DELETE", Self.userPath(user) + "/authentication/fido2Methods/" + Self.segment(id), notFound: .methodNotFound(id))
    }

    /// `DELETE /users/{upn}/authentication/{collection}/{id}`: deletes a method of `kind` (a key's
    /// credential stays on the key; a hardware token goes back to the inventory).
    /// - Throws: ``RegistrationError/invalidInput(_:)`` for a kind Graph has no resource for.
    public func deleteMethod(user: String, id: String, kind: MethodKind) async throws {
        guard let collection = Self.collection(of: kind) else {
            throw RegistrationError.invalidInput("Graph has no resource for \(kind.rawValue) methods: delete it on the directory itself")
        }
        _ = try await send(
            "DELETE", Self.userPath(user) + "/authentication/\(collection)/" + Self.segment(id), notFound: .methodNotFound(id))
    }

    /// `PATCH /users/{upn}/authentication/signInPreferences`: makes the method with `id` the
    /// default MFA method (keybridge's `@keybridge.defaultMethodId`, with Graph's kind-level
    /// preference beside it for servers that only know that).
    public func setDefaultMethod(user: String, id: String, kind: MethodKind) async throws {
        // Which kinds may be the default is the server's rule; the kind-level name is only a hint.
        var body: [String: Any] = ["@keybridge.defaultMethodId": id]
        switch kind {
        case .authenticatorApp: body["userPreferredMethodForSecondaryAuthentication"] = "push"
        case .otherAuthenticatorApp, .hardwareToken: body["userPreferredMethodForSecondaryAuthentication"] = "oath"
        case .phone: body["userPreferredMethodForSecondaryAuthentication"] = "sms"
        default: break
        }
        _ = try await send(
            "PATCH", Self.userPath(user) + "/authentication/signInPreferences", body: try JSONSerialization.data(withJSONObject: body),
            notFound: .userNotFound(user))
    }

    /// Graph's typed collection of a method kind (`phoneMethods`, …); nil for kinds Graph does not have.
    public static func collection(of kind: MethodKind) -> String? {
        switch kind {
        case .fido2SecurityKey: "fido2Methods"
        case .phone, .alternatePhone, .officePhone: "phoneMethods"
        case .email: "emailMethods"
        case .otherAuthenticatorApp: "softwareOathMethods"
        case .authenticatorApp: "microsoftAuthenticatorMethods"
        case .hardwareToken: "hardwareOathMethods"
        case .securityQuestions, .appPassword: nil
        }
    }

    // MARK: Transport

    /// Sends one request and returns the body of a 2xx answer; maps everything else.
    func send(_ method: String, _ path: String, body: Data? = nil, notFound: RegistrationError) async throws -> Data {
        var text = baseURL.absoluteString + path
        if let tenant { text += (path.contains("?") ? "&" : "?") + "tenant=" + Self.segment(tenant) }
        guard let url = URL(string: text) else {
            throw RemoteDirectoryError(.unexpectedResponse, server: server, message: "cannot build a request URL for \(path)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        request.timeoutInterval = seconds
        let (data, status) = try await exchange(request)
        if (200..<300).contains(status) { return data }
        throw GraphDecoding.error(status: status, body: data, server: server, notFound: notFound)
    }

    /// The request raced against the timeout; cancellation of the caller cancels it.
    private func exchange(_ request: URLRequest) async throws -> (Data, Int) {
        try Task.checkCancellation()
        let session = self.session
        let timeout = self.timeout
        let server = self.server
        do {
            return try await withThrowingTaskGroup(of: (Data, Int).self) { group in
                group.addTask {
                    let (data, response) = try await session.data(for: request)
                    return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw URLError(.timedOut)
                }
                defer { group.cancelAll() }
                guard let first = try await group.next() else { throw CancellationError() }
                return first
            }
        } catch let error as URLError {
            if Task.isCancelled { throw CancellationError() }
            let reason = error.code == .timedOut
                ? "it did not answer within \(timeout.formatted(.units(allowed: [.seconds], width: .wide)))"
                : error.localizedDescription
            throw RemoteDirectoryError(.unreachable, server: server, message: "The server \(server) cannot be reached: \(reason)")
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as RemoteDirectoryError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw RemoteDirectoryError(.unreachable, server: server, message: "The server \(server) cannot be reached: \(error)")
        }
    }

    private func decoding<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as GraphDecoding.Failure {
            throw RemoteDirectoryError(
                .unexpectedResponse, server: server, message: "The server \(server) answered with something unexpected: \(failure.reason)")
        }
    }

    /// `/users/{upn}` with the UPN as one path segment.
    static func userPath(_ user: String) -> String { "/users/" + segment(user) }

    /// Percent-encodes a path segment (`/`, `?`, `#` and the like; `@` stays, as in Graph's examples).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
