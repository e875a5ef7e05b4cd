import Hummingbird
import Metrics

/// Counts and times every request through swift-metrics, with a factory given to it (the server's
/// Prometheus registry; the process-wide `MetricsSystem` is never bootstrapped here):
/// `keybridge_http_requests_total{method,route,status}` and
/// `keybridge_http_request_duration_seconds{method,route}`.
///
/// Labels stay few and free of caller data: `route` is the matched route template
/// (`/users/{user}/authentication/methods`), never the path a client sent, and `unmatched` when no
/// route matched; `method` is one of the standard methods or `other`. Added first to the router,
/// outside ``GraphErrorMiddleware``, so the status recorded for a thrown error is the one the client
/// is sent. The duration runs until the handler returns its response (a body written afterwards
/// is not timed).
struct RequestMetrics: RouterMiddleware {
    typealias Context = APIRequestContext

    static let requestsTotal = "keybridge_http_requests_total"
    static let durationSeconds = "keybridge_http_request_duration_seconds"
    /// Histogram buckets from 1 ms to 5 s.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
    ]
    /// Methods kept as they are; any other token a client invents is labelled `other`.
    private static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "QUERY"]

    let factory: any MetricsFactory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, elapsed: ContinuousClock.now - start)
            return response
        } catch {
            // GraphErrorMiddleware has turned every known error into a GraphError by now; anything
            // else is answered 500 by Hummingbird.
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context, status: status, elapsed: ContinuousClock.now - start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, elapsed: Duration) {
        let method = Self.knownMethods.contains(request.method.rawValue) ? request.method.rawValue : "other"
        let route = Self.route(context.endpointPath)
        Counter(label: Self.requestsTotal, dimensions: [("method", method), ("route", route), ("status", String(status))], factory: factory)
            .increment()
        Timer(label: Self.durationSeconds, dimensions: [("method", method), ("route", route)], factory: factory)
            .record(duration: elapsed)
    }

    /// The route template Hummingbird matched, or `unmatched` (its not-found responder says `NotFound`).
    static func route(_ endpointPath: String?) -> String {
        guard let endpointPath, endpointPath != "NotFound" else { return "unmatched" }
        return endpointPath
    }
}
