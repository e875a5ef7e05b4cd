import Hummingbird
import KeyBridgeRegistration
import NIOCore

/// Per-request state: the caller's address (from the connection, never from a header) and, once
/// authenticated, the API token's principal.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address as the socket reports it.
    public let clientAddress: String
    /// Set by ``BearerAuthenticator`` for a valid token.
    public var principal: APIPrincipal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
        principal = nil
    }

    /// Request bodies are small JSON documents; anything larger is refused with 413.
    public var maxUploadSize: Int { 64 * 1024 }

    /// The principal, or 401 when the request carries no valid token.
    func requirePrincipal() throws -> APIPrincipal {
        guard let principal else { throw GraphError.unauthenticated }
        return principal
    }

    /// A path parameter, percent-decoded (`alice%40contoso.com` is `alice@contoso.com`).
    func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// Where the request comes from, for the access rule and the audit log.
    var client: ClientContext { ClientContext(address: clientAddress) }
}
