import Foundation
import KeyBridgeEnrollment
import KeyBridgeRegistration

extension GraphClient {
    /// Signs `upn` in to a keybridge server with their own proof — a Temporary Access Pass or a
    /// one-time code (`POST /auth/signIn`) — and returns a client that acts as that user: its
    /// bearer is the user's session token (never printed), valid for the user's own resources in
    /// the tenant signed in to (`tenant`, else the user's home tenant).
    /// - Throws: ``RegistrationError`` when the server refuses the proof (the same refusal as a
    ///   local directory's), ``RemoteDirectoryError`` when it cannot be reached or answers
    ///   something else, `invalidInput` for a key's assertion (not offered here yet).
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
        case .fido2Assertion:
            throw RegistrationError.invalidInput("signing in to a server with a security key is not offered here yet; use a pass or a code")
        }
        let answer = try await anonymous.send(
            "POST", "/auth/signIn", body: try JSONSerialization.data(withJSONObject: body), notFound: .userNotFound(upn))
        guard let object = try? JSONSerialization.jsonObject(with: answer) as? [String: Any], let token = object["sessionToken"] as? String
        else {
            throw RemoteDirectoryError(
                .unexpectedResponse, server: anonymous.server, message: "The server \(anonymous.server) answered a sign-in without a session.")
        }
        return try GraphClient(server: server, token: token, tenant: nil, timeout: timeout)
    }
}
