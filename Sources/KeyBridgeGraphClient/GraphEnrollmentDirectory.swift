import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration

/// A ``KeyEnrollment``'s directory on a server: the server issues the options and verifies and
/// stores the key (in a manage session it opens on the user's behalf — the server's rule, not
/// this client's); the key stays on this machine.
public struct GraphEnrollmentDirectory: EnrollmentDirectory {
    public let client: GraphClient
    /// The user's principal name (or Graph object id).
    public let user: String
    /// Graph's `challengeTimeoutInMinutes` (5 to 43200); nil for the server's default.
    public var challengeTimeoutInMinutes: Int?

    public init(client: GraphClient, user: String, challengeTimeoutInMinutes: Int? = nil) {
        self.client = client
        self.user = user
        self.challengeTimeoutInMinutes = challengeTimeoutInMinutes
    }

    /// Attestation formats a Graph directory takes (Entra accepts packed and none).
    public static let attestationFormats: Set<String> = ["packed", "none"]

    public func beginKeyRegistration() async throws -> FIDO2CreationOptions {
        try await client.creationOptions(user: user, challengeTimeoutInMinutes: challengeTimeoutInMinutes)
    }

    /// Sends the key's answer. Once sent, the request runs to its answer even if the caller is
    /// cancelled (bounded by the client's timeout): the enrollment then knows whether the server
    /// stored the key and can undo accordingly, instead of guessing after a dropped request.
    public func completeKeyRegistration(_ response: RegistrationResponseJSON, friendlyName: String?) async throws -> RegisteredMethod {
        if let bytes = Base64URL.decode(response.response.attestationObject), let object = try? AttestationObject(bytes),
            !Self.attestationFormats.contains(object.format)
        {
            throw RegistrationError.attestationUntrusted("attestation format \(object.format) is not accepted by the server")
        }
        try Task.checkCancellation()
        let client = self.client
        let user = self.user
        return try await Task.detached {
            try await client.addFIDO2Method(user: user, response: response, displayName: friendlyName)
        }.value
    }

    public func removeKey(methodID: String) async throws {
        try await client.deleteFIDO2Method(user: user, id: methodID)
    }
}
