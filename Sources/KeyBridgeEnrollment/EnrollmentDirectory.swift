import KeyBridgeFIDO
import KeyBridgeRegistration

/// The directory side of a ``KeyEnrollment``: where the WebAuthn options come from, who verifies
/// and stores the key's answer, and how a stored key is removed again when the finishing step
/// fails after the commit.
///
/// Two directories implement it: a local ``ManageSession`` (the embedded or shared store,
/// verified in this process by the session's own verifier — keys reach a local store through a
/// manage session only) and a client of `keybridge serve` or Microsoft Graph
/// (`KeyBridgeGraphClient`), where the server verifies and stores.
///
/// Every requirement throws ``RegistrationError`` when the directory refuses (the same refusal
/// whichever directory it is), ``RemoteDirectoryError`` when a remote directory cannot be reached
/// or fails, and `CancellationError` when the calling task was cancelled before anything was sent.
public protocol EnrollmentDirectory: Sendable {
    /// Fresh creation options for one new key of the user (a single-use challenge the directory
    /// keeps; excluded credentials are the user's registered keys).
    func beginKeyRegistration() async throws -> FIDO2CreationOptions

    /// Verifies `response` against the options this directory issued and, only when every check
    /// passes, stores the key: the enrollment's commit point. Returns the stored method.
    func completeKeyRegistration(_ response: RegistrationResponseJSON, friendlyName: String?) async throws -> RegisteredMethod

    /// Removes a key this enrollment stored (the undo after the commit).
    func removeKey(methodID: String) async throws
}

extension ManageSession: EnrollmentDirectory {
    public func beginKeyRegistration() async throws -> FIDO2CreationOptions {
        try await beginFIDO2Registration()
    }

    public func completeKeyRegistration(_ response: RegistrationResponseJSON, friendlyName: String?) async throws -> RegisteredMethod {
        try await completeFIDO2Registration(response, friendlyName: friendlyName)
    }

    public func removeKey(methodID: String) async throws {
        try await delete(methodID: methodID)
    }
}

/// A remote directory that did not answer with a refusal: it could not be reached, timed out,
/// failed (HTTP 5xx), refused the caller's credentials, or answered with something that is not
/// its API. The message names the server.
public struct RemoteDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// No answer: connection refused, name not resolved, TLS failure, timeout.
        case unreachable
        /// The server answered with a failure of its own (HTTP 5xx).
        case serverFailure
        /// The bearer token was missing, invalid, or lacks the scope (HTTP 401/403 without a refusal code).
        case unauthorized
        /// A refusal keybridge has no name for (Graph's own code is in the message).
        case refused
        /// An answer that is not the API's JSON.
        case unexpectedResponse
    }

    public var kind: Kind
    /// The server as the user named it (scheme, host, port; never a token).
    public var server: String
    /// What happened, for people.
    public var message: String
    /// The HTTP status, when there was an answer.
    public var status: Int?

    public init(_ kind: Kind, server: String, message: String, status: Int? = nil) {
        self.kind = kind
        self.server = server
        self.message = message
        self.status = status
    }

    /// A stable machine-readable name.
    public var code: String {
        switch kind {
        case .unreachable: "serverUnreachable"
        case .serverFailure: "serverFailure"
        case .unauthorized: "serverUnauthorized"
        case .refused: "serverRefused"
        case .unexpectedResponse: "serverUnexpectedResponse"
        }
    }

    public var description: String { message }
}
