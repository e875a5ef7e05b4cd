import Foundation
import XCTest

/// The OpenAPI document the server publishes is the committed one, and schemathesis (PyPI), driving
/// the running server from it, finds no server error and no response that breaks the document.
final class OpenAPIConformanceTests: XCTestCase {
    func testTheServedDocumentIsTheCommittedOneAndSchemathesisFindsNoViolation() async throws {
        let (directory, _) = try GraphAPITests.serve(.sqlite)
        // Schemathesis sends hundreds of requests a second; the rate limiter is tested elsewhere.
        let server = try ServerProcess(directory: directory.directory, extraArguments: ["--rate-limit", "100000"], environment: directory.environment)
        let token = try GraphAPITests.token(directory, ["admin"])
        let served = try await server.request("GET", "/openapi.yaml")
        XCTAssertEqual(served.status, 200)
        let committed = try String(
            contentsOf: TestPaths.packageRoot.appendingPathComponent("Sources/KeyBridgeServer/Resources/openapi.yaml"), encoding: .utf8)
        XCTAssertEqual(served.text, committed)

        // Path parameters that exist, so operations get past 404; a fixed seed keeps runs repeatable.
        let config = directory.folder.appendingPathComponent("schemathesis.toml")
        try "[parameters]\n\"path.user\" = \"alice@contoso.com\"\n".write(to: config, atomically: true, encoding: .utf8)
        let schemathesis = URL(fileURLWithPath: TestPaths.peerPython).deletingLastPathComponent().appendingPathComponent("st").path
        // positive_data_acceptance is left out: a schema-valid but made-up WebAuthn registration is
        // rightly refused with 400 (the document cannot express "signed by a key").
        let result = try ProcessRunner.run(
            schemathesis,
            [
                "--config-file", config.path, "run", server.baseURL + "/openapi.yaml", "--header", "Authorization: Bearer \(token)",
                "--checks", "all", "--exclude-checks", "positive_data_acceptance", "--max-examples", "25", "--seed", "20261202",
                "--workers", "2",
            ],
            environment: ["SCHEMATHESIS_HOOKS": ""], timeout: 300)
        XCTAssertEqual(result.status, 0, String(result.stdout.suffix(4000)) + result.stderr)
        XCTAssertTrue(result.stdout.contains("Tested: 58"), String(result.stdout.suffix(2000)))
        XCTAssertFalse(server.log.contains("status=500"), "no request made the server fail")
    }
}
