import Foundation
import KeyBridgeEnrollment
import KeyBridgeRegistration

/// Interrupt mode's decision as a keybridge server gives it (keybridge's own resource).
public struct RemoteRegistrationDecision: Sendable {
    /// none, register, registerSkippable or review.
    public var action: String
    public var shownMethods: [MethodKind]
    public var alternatives: [MethodKind]
    public var reviewMethods: [RegisteredMethod]

    public init(action: String, shownMethods: [MethodKind], alternatives: [MethodKind], reviewMethods: [RegisteredMethod]) {
        self.action = action
        self.shownMethods = shownMethods
        self.alternatives = alternatives
        self.reviewMethods = reviewMethods
    }
}

extension GraphClient {
    /// `GET …/authentication/registrationDecision`: what sign-in would ask of the user now.
    public func registrationDecision(user: String, resourceRequiresMFA: Bool) async throws -> RemoteRegistrationDecision {
        let query = resourceRequiresMFA ? "?resourceRequiresMfa=true" : ""
        let body = try await send("GET", Self.userPath(user) + "/authentication/registrationDecision" + query, notFound: .userNotFound(user))
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let action = object["action"] as? String else {
            throw RemoteDirectoryError(.unexpectedResponse, server: server, message: "The server \(server) answered a decision without its action.")
        }
        let tenant = object["@keybridge.tenant"] as? String ?? self.tenant ?? ""
        func kinds(_ key: String) -> [MethodKind] { (object[key] as? [String] ?? []).compactMap(MethodKind.init(rawValue:)) }
        return RemoteRegistrationDecision(
            action: action, shownMethods: kinds("shownMethods"), alternatives: kinds("alternatives"),
            reviewMethods: (object["reviewMethods"] as? [[String: Any]] ?? []).compactMap { GraphDecoding.method($0, upn: user, tenant: tenant) })
    }

    /// `POST …/authentication/registrationDecision/confirmReview`: the user's info is current.
    public func confirmReview(user: String) async throws {
        _ = try await send(
            "POST", Self.userPath(user) + "/authentication/registrationDecision/confirmReview", body: Data("{}".utf8),
            notFound: .userNotFound(user))
    }
}
