import Foundation
import XCTest

/// `--tls-cert`/`--tls-key`: the server speaks HTTPS with the given certificate — an independent
/// client (Python requests, checking the certificate) reads the directory over it — and nothing
/// over plain HTTP.
final class TLSServerTests: XCTestCase {
    func testTheServerSpeaksHTTPSWithItsCertificateAndNotPlainHTTP() async throws {
        let (directory, _) = try GraphAPITests.serve(.sqlite)
        let token = try GraphAPITests.token(directory, ["read"])
        let certificate = directory.folder.appendingPathComponent("server.pem").path
        let key = directory.folder.appendingPathComponent("server.key").path
        let made = try ProcessRunner.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", certificate,
            "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        XCTAssertEqual(made.status, 0, made.stderr)
        let server = try ServerProcess(
            directory: directory.directory, extraArguments: ["--tls-cert", certificate, "--tls-key", key], environment: directory.environment)

        let client = """
            import json, sys, requests
            base, token, ca = sys.argv[1:4]
            good = requests.get(base.replace("http://", "https://") + "/users/alice@contoso.com/authentication/methods",
                                headers={"Authorization": "Bearer " + token}, verify=ca, timeout=10)
            try:
                requests.get(base + "/healthz", timeout=5)
                plain = "answered"
            except requests.exceptions.RequestException:
                plain = "refused"
            print(json.dumps({"status": good.status_code, "values": len(good.json()["value"]), "plain": plain}))
            """
        let result = try ProcessRunner.run(TestPaths.peerPython, ["-c", client, server.baseURL, token, certificate], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let reply = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any], result.stdout)
        XCTAssertEqual(reply["status"] as? Int, 200, "HTTPS with a verified certificate")
        XCTAssertEqual(reply["values"] as? Int, 0)
        XCTAssertEqual(reply["plain"] as? String, "refused", "plain HTTP gets no answer from a TLS server")

        let mismatched = try ProcessRunner.run(TestPaths.keybridge, ["serve", "--tls-cert", certificate], environment: directory.environment)
        XCTAssertNotEqual(mismatched.status, 0)
        XCTAssertTrue(mismatched.stderr.contains("--tls-cert and --tls-key go together"), mismatched.stderr)
    }
}
