import HTTPTypes
import Hummingbird
import KeyBridgeRegistration

/// Reads `Authorization: Bearer kb_…` and puts the token's principal into the context; every route
/// behind it answers 401 without a valid token. Which token was wrong is never said.
struct BearerAuthenticator: RouterMiddleware {
    typealias Context = APIRequestContext
    let service: RegistrationService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw GraphError.unauthenticated
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let principal = try await service.authenticate(apiToken: token) else { throw GraphError.unauthenticated }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
