import HTTPTypes
import Hummingbird
import KeyBridgeRegistration

/// Reads `Authorization: Bearer …`: an API token (`kb_…`) puts its principal into the context, a
/// user's session token (`kbs_…`, from `POST /auth/signIn`) the signed-in user. Every route behind
/// it answers 401 without a valid token; which token was wrong is never said.
struct BearerAuthenticator: RouterMiddleware {
    typealias Context = APIRequestContext
    let service: RegistrationService
    let sessions: UserSessionPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw GraphError.unauthenticated
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        var context = context
        if token.hasPrefix("kbs_") {
            guard let signedIn = try await service.resumeUserSession(token: token, client: context.client, policy: sessions) else {
                throw GraphError.unauthenticated
            }
            context.signedIn = signedIn
        } else {
            guard let principal = try await service.authenticate(apiToken: token) else { throw GraphError.unauthenticated }
            context.principal = principal
        }
        return try await next(request, context)
    }
}
