import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import XCTest

/// `GET /metrics` counts every request by method, route template and status, without a token,
/// and never puts a path's user name in a label.
final class MetricsTests: XCTestCase {
    func testMetricsCountRequestsByRouteTemplateAndStatusWithoutUserNames() async throws {
        let (_, server) = try GraphAPITests.serve(.sqlite)
        let user = "mallory.metrics@contoso.com"

        let health = try await server.request("GET", "/healthz")
        XCTAssertEqual(health.status, 200, health.text)
        let unauthenticated = try await server.request("GET", "/users/\(user)/authentication/methods")
        XCTAssertEqual(unauthenticated.status, 401, unauthenticated.text)
        let item = try await server.request("GET", "/v1.0/users/\(user)/authentication/fido2Methods/key-of-mallory")
        XCTAssertEqual(item.status, 401, item.text)
        let refused = try await server.request("POST", "/healthz")
        XCTAssertEqual(refused.status, 405, refused.text)
        let unmatched = try await server.request("GET", "/nowhere/\(user)")
        XCTAssertEqual(unmatched.status, 404, unmatched.text)

        var request = URLRequest(url: URL(string: server.baseURL + "/metrics")!)
        request.httpMethod = "GET"
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try XCTUnwrap(response as? HTTPURLResponse)
        XCTAssertEqual(http.statusCode, 200)
        let contentType = http.value(forHTTPHeaderField: "Content-Type") ?? ""
        XCTAssertTrue(contentType.hasPrefix("text/plain; version=0.0.4"), contentType)
        let text = String(decoding: data, as: UTF8.self)

        let counter = "keybridge_http_requests_total"
        XCTAssertEqual(Self.value(of: #"\#(counter){method="GET",route="/healthz",status="200"}"#, in: text), 1, text)
        XCTAssertEqual(
            Self.value(of: #"\#(counter){method="GET",route="/users/{user}/authentication/methods",status="401"}"#, in: text), 1, text)
        XCTAssertEqual(
            Self.value(of: #"\#(counter){method="GET",route="/v1.0/users/{user}/authentication/fido2Methods/{item}",status="401"}"#, in: text),
            1, text)
        XCTAssertEqual(Self.value(of: #"\#(counter){method="POST",route="/healthz",status="405"}"#, in: text), 1, text)
        XCTAssertEqual(Self.value(of: #"\#(counter){method="GET",route="unmatched",status="404"}"#, in: text), 1, text)
        XCTAssertEqual(
            Self.value(of: #"keybridge_http_request_duration_seconds_count{method="GET",route="/users/{user}/authentication/methods"}"#, in: text),
            1, text)
        XCTAssertNotNil(
            Self.value(of: #"keybridge_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="5.0"}"#, in: text), text)

        for leak in ["mallory", "contoso.com", "%40", "nowhere", "key-of"] {
            XCTAssertFalse(text.contains(leak), "/metrics shows \(leak):\n\(text)")
        }
        XCTAssertFalse(server.log.contains("status=500"), "no request made the server fail")
    }

    /// The value of the exposition line whose series is exactly `series`, or nil.
    private static func value(of series: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}
