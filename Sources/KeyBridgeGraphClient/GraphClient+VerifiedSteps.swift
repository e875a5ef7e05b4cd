import Foundation
import KeyBridgeEnrollment
import KeyBridgeRegistration

/// Methods proven before they are added, through a keybridge server's verification steps
/// (keybridge's own resources; Graph has none): a code sent to a new phone or address, an
/// authenticator app's first code. The server sends the code and keeps the step; this client
/// types the code back.
extension GraphClient {
    /// Starts verifying a new phone number or e-mail address (the server sends a code); returns the step's id.
    public func beginContactVerification(user: String, kind: MethodKind, destination: String) async throws -> String {
        var body: [String: String]
        switch kind {
        case .email: body = ["emailAddress": destination]
        case .phone: body = ["phoneNumber": destination, "phoneType": "mobile"]
        case .alternatePhone: body = ["phoneNumber": destination, "phoneType": "alternateMobile"]
        case .officePhone: body = ["phoneNumber": destination, "phoneType": "office"]
        default: throw RegistrationError.invalidInput("\(kind.rawValue) is not a phone or an e-mail address")
        }
        let answer = try await send(
            "POST", Self.userPath(user) + "/authentication/\(Self.contactCollection(kind))/verifications",
            body: try JSONSerialization.data(withJSONObject: body), notFound: .userNotFound(user))
        return try stepID(answer)
    }

    /// Adds the phone or address when `code` is the one the server sent.
    public func completeContactVerification(user: String, kind: MethodKind, id: String, code: String) async throws -> RegisteredMethod {
        try await complete(user: user, path: "\(Self.contactCollection(kind))/verifications/\(Self.segment(id))/complete", code: code)
    }

    /// Starts registering an authenticator app (`.authenticatorApp` or `.otherAuthenticatorApp`):
    /// the step's id and the app's otpauth URI (its secret, shown this once).
    public func beginAppRegistration(user: String, kind: MethodKind, displayName: String) async throws
        -> (id: String, otpauthURI: String, requiresPasswordlessSignInInApp: Bool)
    {
        let answer = try await send(
            "POST", Self.userPath(user) + "/authentication/\(Self.appCollection(kind))/registrations",
            body: try JSONSerialization.data(withJSONObject: ["displayName": displayName]), notFound: .userNotFound(user))
        guard let object = try? JSONSerialization.jsonObject(with: answer) as? [String: Any], let uri = object["otpauthUri"] as? String else {
            throw RemoteDirectoryError(.unexpectedResponse, server: server, message: "The server \(server) answered an app registration without its otpauth URI.")
        }
        return (try stepID(answer), uri, object["requiresPasswordlessSignInInApp"] as? Bool ?? false)
    }

    /// Adds the app when `code` is its current code.
    public func completeAppRegistration(user: String, kind: MethodKind, id: String, code: String) async throws -> RegisteredMethod {
        try await complete(user: user, path: "\(Self.appCollection(kind))/registrations/\(Self.segment(id))/complete", code: code)
    }

    private func complete(user: String, path: String, code: String) async throws -> RegisteredMethod {
        let answer = try await send(
            "POST", Self.userPath(user) + "/authentication/" + path, body: try JSONSerialization.data(withJSONObject: ["code": code]),
            notFound: .userNotFound(user))
        return try decodingMethod(answer, user: user)
    }

    private func decodingMethod(_ answer: Data, user: String) throws -> RegisteredMethod {
        guard let method = try? GraphDecoding.method(answer, upn: user, tenant: tenant ?? "") else {
            throw RemoteDirectoryError(.unexpectedResponse, server: server, message: "The server \(server) answered with something that is not a method.")
        }
        return method
    }

    private func stepID(_ answer: Data) throws -> String {
        guard let object = try? JSONSerialization.jsonObject(with: answer) as? [String: Any], let id = object["id"] as? String else {
            throw RemoteDirectoryError(.unexpectedResponse, server: server, message: "The server \(server) answered a step without its id.")
        }
        return id
    }

    static func contactCollection(_ kind: MethodKind) -> String { kind == .email ? "emailMethods" : "phoneMethods" }

    static func appCollection(_ kind: MethodKind) -> String {
        kind == .authenticatorApp ? "microsoftAuthenticatorMethods" : "softwareOathMethods"
    }
}
