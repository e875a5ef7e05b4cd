import Foundation
import KeyBridgeEnrollment
import KeyBridgeRegistration

/// Methods a keybridge server adds in one request (keybridge's own resources): an OATH hardware
/// token activated with its code, security questions, an app password.
extension GraphClient {
    /// `POST …/hardwareOathMethods/activations`: activates the tenant's token `serial` for the user.
    public func activateHardwareToken(user: String, serial: String, code: String) async throws -> RegisteredMethod {
        try await addMethod(user: user, path: "hardwareOathMethods/activations", body: ["serialNumber": serial, "verificationCode": code]).method
    }

    /// `POST …/securityQuestionMethods`: the answers are hashed by the server, never stored as given.
    public func registerSecurityQuestions(user: String, answers: [(question: String, answer: String)]) async throws -> RegisteredMethod {
        try await addMethod(
            user: user, path: "securityQuestionMethods", body: ["questions": answers.map { ["question": $0.question, "answer": $0.answer] }]
        ).method
    }

    /// `POST …/appPasswordMethods`: the method and the password (shown this once).
    public func createAppPassword(user: String, name: String) async throws -> (method: RegisteredMethod, password: String) {
        let (method, object) = try await addMethod(user: user, path: "appPasswordMethods", body: ["displayName": name])
        guard let password = object["@keybridge.password"] as? String else {
            throw RemoteDirectoryError(.unexpectedResponse, server: server, message: "The server \(server) answered an app password without it.")
        }
        return (method, password)
    }

    private func addMethod(user: String, path: String, body: [String: Any]) async throws -> (method: RegisteredMethod, object: [String: Any]) {
        let answer = try await send(
            "POST", Self.userPath(user) + "/authentication/" + path, body: try JSONSerialization.data(withJSONObject: body),
            notFound: .userNotFound(user))
        guard let object = try? JSONSerialization.jsonObject(with: answer) as? [String: Any],
            let method = GraphDecoding.method(object, upn: user, tenant: tenant ?? "")
        else {
            throw RemoteDirectoryError(.unexpectedResponse, server: server, message: "The server \(server) answered with something that is not a method.")
        }
        return (method, object)
    }
}
