import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration

extension GraphClient {
    /// Signs `upn` in to a keybridge server with their own proof — a Temporary Access Pass, a
    /// one-time code, or a key's assertion over ``signInOptions(server:upn:tenant:timeout:)``
    /// (`POST /auth/signIn`) — and returns a client that acts as that user: its
    /// bearer is the user's session token (never printed), valid for the user's own resources in
    /// the tenant signed in to (`tenant`, else the user's home tenant).
    /// - Throws: ``RegistrationError`` when the server refuses the proof (the same refusal as a
    ///   local directory's), ``RemoteDirectoryError`` when it cannot be reached or answers
    ///   something else.
    public static func signIn(server: String, upn: String, tenant: String?, proof: MFAProof, timeout: Duration = .seconds(30))
        async throws -> GraphClient
    {
        let anonymous = try GraphClient(server: server, token: "", tenant: nil, timeout: timeout)
        var body: [String: String] = ["userPrincipalName": upn]
        if let tenant { body["tenant"] = tenant }
        switch proof {
        case .temporaryAccessPass(let pass): body["temporaryAccessPass"] = pass
        case .oneTimeCode(let methodID, let code):
            body["oneTimeCode"] = code
            if let methodID { body["methodId"] = methodID }
        case .fido2Assertion: break
        }
        var object: [String: Any] = body
        if case .fido2Assertion(let assertion) = proof {
            object["publicKeyCredential"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(assertion))
        }
        let answer = try await anonymous.send(
            "POST", "/auth/signIn", body: try JSONSerialization.data(withJSONObject: object), notFound: .userNotFound(upn))
        guard let object = try? JSONSerialization.jsonObject(with: answer) as? [String: Any], let token = object["sessionToken"] as? String
        else {
            throw RemoteDirectoryError(
                .unexpectedResponse, server: anonymous.server, message: "The server \(anonymous.server) answered a sign-in without a session.")
        }
        return try GraphClient(server: server, token: token, tenant: nil, timeout: timeout)
    }

    /// `POST /auth/signIn/fido2Options`: request options to sign `upn` in with one of their keys
    /// (a single-use challenge, the relying party, the origin the server expects, the user's keys).
    public static func signInOptions(server: String, upn: String, tenant: String?, timeout: Duration = .seconds(30))
        async throws -> FIDO2SignInOptions
    {
        let anonymous = try GraphClient(server: server, token: "", tenant: nil, timeout: timeout)
        var body = ["userPrincipalName": upn]
        if let tenant { body["tenant"] = tenant }
        let answer = try await anonymous.send(
            "POST", "/auth/signIn/fido2Options", body: try JSONSerialization.data(withJSONObject: body), notFound: .userNotFound(upn))
        guard let object = try? JSONSerialization.jsonObject(with: answer) as? [String: Any],
            let publicKey = object["publicKey"] as? [String: Any], let challenge = (publicKey["challenge"] as? String).flatMap(Base64URL.decode),
            let rpID = publicKey["rpId"] as? String, let origin = object["@keybridge.origin"] as? String,
            let allowed = publicKey["allowCredentials"] as? [[String: Any]]
        else {
            throw RemoteDirectoryError(
                .unexpectedResponse, server: anonymous.server, message: "The server \(anonymous.server) answered sign-in options it cannot use.")
        }
        return FIDO2SignInOptions(
            challenge: challenge, relyingPartyID: rpID, origin: origin,
            allowCredentials: allowed.compactMap { ($0["id"] as? String).flatMap(Base64URL.decode) },
            userVerification: publicKey["userVerification"] as? String == "required")
    }
}
