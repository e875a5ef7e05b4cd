import Foundation
import KeyBridgeEnrollment
import KeyBridgeRegistration

/// Directory objects and passes, as an enrollment kiosk reads and issues them through a
/// `kiosk` token: the user, their groups, whether opening their security info needs a proof,
/// the tenants the token acts in, Temporary Access Passes, and signing a session out.
extension GraphClient {
    /// `GET /users/{upn}`: the user's display name (``RegistrationError/userNotFound(_:)`` when absent).
    public func displayName(user: String) async throws -> String {
        let body = try await send("GET", Self.userPath(user), notFound: .userNotFound(user))
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let name = object["displayName"] as? String else {
            throw RemoteDirectoryError(.unexpectedResponse, server: server, message: "The server \(server) answered a user without a displayName.")
        }
        return name
    }

    /// `GET /users/{upn}/memberOf`: the display names of the user's groups.
    public func groups(user: String) async throws -> [String] {
        let body = try await send("GET", Self.userPath(user) + "/memberOf", notFound: .userNotFound(user))
        return try values(body).compactMap { $0["displayName"] as? String }
    }

    /// `GET /users/{upn}/authentication/requirements`: whether opening the user's security info
    /// needs an MFA proof (`perUserMfaState` `enforced`).
    public func requiresMFA(user: String) async throws -> Bool {
        let body = try await send("GET", Self.userPath(user) + "/authentication/requirements", notFound: .userNotFound(user))
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let state = object["perUserMfaState"] as? String
        else {
            throw RemoteDirectoryError(.unexpectedResponse, server: server, message: "The server \(server) answered requirements without perUserMfaState.")
        }
        return state != "disabled"
    }

    /// `GET /organization`: the ids of the tenants this token acts in.
    public func tenants() async throws -> [String] {
        let body = try await send("GET", "/organization", notFound: .tenantNotFound("?"))
        return try values(body).compactMap { $0["id"] as? String }
    }

    /// `POST /users/{upn}/authentication/temporaryAccessPassMethods`: a new pass (its id and the pass itself).
    public func issueTemporaryAccessPass(user: String) async throws -> (id: String, pass: String) {
        let body = try await send(
            "POST", Self.userPath(user) + "/authentication/temporaryAccessPassMethods", body: Data("{}".utf8), notFound: .userNotFound(user))
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let id = object["id"] as? String,
            let pass = object["temporaryAccessPass"] as? String
        else {
            throw RemoteDirectoryError(.unexpectedResponse, server: server, message: "The server \(server) answered a pass it did not show.")
        }
        return (id, pass)
    }

    /// `DELETE /users/{upn}/authentication/temporaryAccessPassMethods/{id}`.
    public func deleteTemporaryAccessPass(user: String, id: String) async throws {
        _ = try await send(
            "DELETE", Self.userPath(user) + "/authentication/temporaryAccessPassMethods/" + Self.segment(id),
            notFound: .invalidInput("no Temporary Access Pass \(id)"))
    }

    /// `POST /auth/signOut`: ends the session this client's bearer is (on every server).
    public func signOut() async throws {
        _ = try await send("POST", "/auth/signOut", body: Data("{}".utf8), notFound: .invalidInput("no session"))
    }

    /// The `value` array of a Graph collection.
    private func values(_ body: Data) throws -> [[String: Any]] {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let value = object["value"] as? [[String: Any]] else {
            throw RemoteDirectoryError(.unexpectedResponse, server: server, message: "The server \(server) answered a collection without value.")
        }
        return value
    }
}
