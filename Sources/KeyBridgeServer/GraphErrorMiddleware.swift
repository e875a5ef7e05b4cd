import Foundation
import Hummingbird
import KeyBridgeRegistration
import Logging

/// Turns registration refusals and undecodable bodies into Graph error responses; logs every
/// request's method, path, status and duration (never a body, a token or a secret).
struct GraphErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: response.status.code, start: start)
            return response
        } catch let error as RegistrationError {
            if case .store(let detail) = error {
                context.logger.error("directory failure", metadata: ["path": "\(request.uri.path)", "detail": "\(detail)"])
            }
            let graph = GraphError(error)
            log(request, context, status: graph.status.code, start: start, refusal: error.code)
            throw graph
        } catch let error as DecodingError {
            log(request, context, status: 400, start: start)
            throw GraphError.badRequest("The request body is not the JSON this resource takes: \(Self.describe(error))")
        } catch let error as GraphError {
            log(request, context, status: error.status.code, start: start)
            throw error
        } catch let error as HTTPError {
            log(request, context, status: error.status.code, start: start)
            let code = switch error.status.code {
            case 404: "itemNotFound"
            case 405: "methodNotAllowed"
            case 413: "requestTooLarge"
            default: "badRequest"
            }
            throw GraphError(status: error.status, code: code, message: error.body ?? error.status.reasonPhrase)
        }
    }

    private func log(_ request: Request, _ context: Context, status: Int, start: ContinuousClock.Instant, refusal: String? = nil) {
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(status)",
            "client": "\(context.clientAddress)", "ms": "\((ContinuousClock.now - start).formatted(.units(allowed: [.milliseconds])))",
        ]
        if let refusal { metadata["refusal"] = "\(refusal)" }
        if let principal = context.principal { metadata["token"] = "\(principal.name)" }
        context.logger.info("request", metadata: metadata)
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case .dataCorrupted(let context): context.debugDescription
        @unknown default: "\(error)"
        }
    }
}
