import HTTPTypes
import Hummingbird

/// Every method a path does not serve answers 405 with `Allow` (Hummingbird's router alone would
/// answer 404, as for a path that does not exist).
extension RouterMethods where Context == APIRequestContext {
    /// The safe, body-carrying QUERY method (an IETF draft some clients and fuzzers send).
    static var query: HTTPRequest.Method { HTTPRequest.Method("QUERY")! }

    /// Registers 405 responders on `path` for every method other than `allowed`.
    func refuseMethods(on path: RouterPath, except allowed: [HTTPRequest.Method]) {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        let others: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace, .connect, Self.query]
        for method in others where !allowed.contains(method) && !(method == .head && allowed.contains(.get)) {
            on(path, method: method) { request, _ -> Response in
                throw GraphError(
                    status: .methodNotAllowed, code: "methodNotAllowed",
                    message: "\(request.method.rawValue) is not supported here; use \(allow).", allow: allow)
            }
        }
    }
}
