import Foundation
import HTTPTypes
import Hummingbird
import KeyBridgeRegistration

/// An error answered in Microsoft Graph's envelope:
/// `{"error": {"code", "message", "innerError": {"code", "date", "request-id"}}}`.
struct GraphError: Error, HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    /// keybridge's own stable name for the refusal (``RegistrationError/code``), when there is one.
    var innerCode: String?
    /// The methods a path serves, for 405 answers.
    var allow: String?
    /// For a wrong code: the step, pending again under this id (`innerError.@keybridge.retryId`).
    var retryID: String?

    static let unauthenticated = GraphError(
        status: .unauthorized, code: "InvalidAuthenticationToken",
        message: "Access token is missing or invalid: send `Authorization: Bearer <token>` from `keybridge admin token issue`.")

    static func forbidden(_ message: String) -> GraphError {
        GraphError(status: .forbidden, code: "accessDenied", message: message)
    }

    static func badRequest(_ message: String) -> GraphError {
        GraphError(status: .badRequest, code: "badRequest", message: message)
    }

    static func notFound(_ message: String) -> GraphError {
        GraphError(status: .notFound, code: "itemNotFound", message: message)
    }

    /// A registration refusal with the HTTP status a Graph client expects for it. Store failures
    /// keep their detail in the server log, not in the body.
    init(_ error: RegistrationError) {
        innerCode = error.code
        message = MessageCatalog(language: "en").sentence(for: error)
        switch error {
        case .userNotFound, .tenantNotFound, .methodNotFound:
            (status, code) = (.notFound, "itemNotFound")
        case .alreadyExists, .duplicateCredential, .limitReached:
            (status, code) = (.conflict, "conflict")
        case .accessDenied, .notAMember, .methodDisabled, .cannotRegister, .cannotChange, .fido2SelfServiceDisabled:
            (status, code) = (.forbidden, "accessDenied")
        case .mfaRequired, .temporaryAccessPassRequired, .mfaProofRejected:
            (status, code) = (.unauthorized, "unauthenticated")
        case .store:
            (status, code) = (.internalServerError, "generalException")
            message = "The directory could not complete the request; the server log has the detail."
        default:
            (status, code) = (.badRequest, "invalidRequest")
        }
    }

    /// A refusal of a registration step's answer (a wrong code): a bad answer to the step, not a
    /// failed sign-in, so 400 where a sign-in's refusal is 401.
    init(stepRefusal error: RegistrationError) {
        self.init(error)
        if status == .unauthorized { (status, code) = (.badRequest, "invalidRequest") }
    }

    init(status: HTTPResponse.Status, code: String, message: String, innerCode: String? = nil, allow: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.innerCode = innerCode
        self.allow = allow
    }

    var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let allow { fields[.allow] = allow }
        return fields
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var inner: [String: Any] = ["date": GraphJSON.dateTime(Date())]
        if let innerCode { inner["code"] = innerCode }
        if let retryID { inner["@keybridge.retryId"] = retryID }
        let body: [String: Any] = ["error": ["code": code, "message": message, "innerError": inner]]
        var response = GraphJSON.response(body, status: status)
        if let allow { response.headers[.allow] = allow }
        return response
    }
}
