import Hummingbird
import KeyBridgeRegistration
import NIOCore

/// Per-request state: the caller's address (from the connection, never from a header) and, once
/// authenticated, the caller: an API token's principal or a signed-in user.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address as the socket reports it.
    public let clientAddress: String
    /// Set by ``BearerAuthenticator`` for a valid token.
    public var principal: APIPrincipal?
    /// Set by ``BearerAuthenticator`` for a live user session (`kbs_…`).
    public var signedIn: SignedInUser?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
        principal = nil
        signedIn = nil
    }

    /// Request bodies are small JSON documents; anything larger is refused with 413.
    public var maxUploadSize: Int { 64 * 1024 }

    /// The API token's principal; 403 for a signed-in user (the route is an admin's), 401 without a valid token.
    func requirePrincipal() throws -> APIPrincipal {
        if let principal { return principal }
        if signedIn != nil { throw GraphError.forbidden("This resource needs an admin's API token; a user's session cannot use it.") }
        throw GraphError.unauthenticated
    }

    /// A path parameter, percent-decoded (`alice%40contoso.com` is `alice@contoso.com`).
    func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// Where the request comes from, for the access rule and the audit log.
    var client: ClientContext { ClientContext(address: clientAddress) }
}
