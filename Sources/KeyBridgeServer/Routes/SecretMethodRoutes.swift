import Foundation
import Hummingbird
import KeyBridgeRegistration

/// Methods added in one request, over the JSON API (keybridge's own resources; Graph has none for
/// them): an OATH hardware token from the tenant's inventory activated with the code it shows
/// (`POST …/hardwareOathMethods/activations {serialNumber, verificationCode}`), three security
/// questions (`POST …/securityQuestionMethods {questions: [{question, answer}]}`, answers stored
/// only as hashes), and an app password for per-user MFA users (`POST …/appPasswordMethods
/// {displayName}`, the password in this answer only, as `@keybridge.password`). The user's own
/// session, or a `manage` token on their behalf; the manage-mode rules of ``ManageSession``.
struct SecretMethodRoutes {
    let service: RegistrationService

    func register(on group: RouterGroup<APIRequestContext>) {
        for base in ["users/:user/authentication", "me/authentication"] {
            let routes: [(String, @Sendable (Request, APIRequestContext) async throws -> Response)] = [
                ("hardwareOathMethods/activations", activateToken), ("securityQuestionMethods", registerQuestions),
                ("appPasswordMethods", createAppPassword),
            ]
            for (path, handler) in routes {
                group.post(RouterPath("\(base)/\(path)")) { request, context in try await handler(request, context) }
                group.refuseMethods(on: RouterPath("\(base)/\(path)"), except: [.post])
            }
        }
    }

    @Sendable private func activateToken(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let body = try await request.decode(as: ActivationBody.self, context: context)
        guard (1...64).contains(body.serialNumber.count), (1...10).contains(body.verificationCode.count) else {
            throw GraphError.badRequest("Send serialNumber (1 to 64 characters) and verificationCode (the code the token shows).")
        }
        let manage = try await target.manageSession(service, client: context.client)
        do throws(RegistrationError) {
            return Self.created(try await manage.activateHardwareToken(serial: body.serialNumber, code: body.verificationCode), target)
        } catch {
            throw GraphError(stepRefusal: error)
        }
    }

    @Sendable private func registerQuestions(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let body = try await request.decode(as: QuestionsBody.self, context: context)
        guard body.questions.count <= 10, body.questions.allSatisfy({ $0.question.count <= 256 && $0.answer.count <= 256 }) else {
            throw GraphError.badRequest("Send at most 10 questions, each question and answer at most 256 characters.")
        }
        let manage = try await target.manageSession(service, client: context.client)
        return Self.created(try await manage.registerSecurityQuestions(body.questions.map { ($0.question, $0.answer) }), target)
    }

    @Sendable private func createAppPassword(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let body = try await request.decode(as: AppPasswordBody.self, context: context)
        guard (1...64).contains(body.displayName.count) else { throw GraphError.badRequest("displayName must be 1 to 64 characters.") }
        let manage = try await target.manageSession(service, client: context.client)
        let (method, password) = try await manage.createAppPassword(name: body.displayName)
        var response = Self.json(method, target)
        response["@keybridge.password"] = password
        return GraphJSON.response(response, status: .created)
    }

    private static func created(_ method: RegisteredMethod, _ target: ResolvedUser) -> Response {
        GraphJSON.response(json(method, target), status: .created)
    }

    private static func json(_ method: RegisteredMethod, _ target: ResolvedUser) -> [String: Any] {
        var json = GraphJSON.method(method)
        json["@keybridge.tenant"] = target.tenant
        return json
    }
}

private struct ActivationBody: Decodable {
    var serialNumber: String
    var verificationCode: String
}

private struct QuestionsBody: Decodable {
    struct Question: Decodable {
        var question: String
        var answer: String
    }
    var questions: [Question]
}

private struct AppPasswordBody: Decodable {
    var displayName: String
}
