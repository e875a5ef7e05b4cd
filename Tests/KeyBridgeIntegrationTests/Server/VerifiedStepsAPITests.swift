import Foundation
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Methods proven before they are added, over the JSON API: a signed-in user starts an e-mail
/// verification on one server and finishes it on another (the step lives in the shared
/// PostgreSQL directory); a wrong code is refused with the step pending again under a retry id;
/// an authenticator app's first code (from Debian's oathtool) adds it.
final class VerifiedStepsAPITests: XCTestCase {
    func testAStepBegunOnOneServerIsFinishedOnAnotherAndAWrongCodeLeavesARetry() async throws {
        let directory = try DirectoryFixture(policy: """
            {"relyingParty": {"id": "example.com", "name": "Example"}, "origin": "https://example.com",
             "authenticationMethods": {"enabled": {"email": {}, "otherAuthenticatorApp": {}},
               "temporaryAccessPass": {"lifetimeMinutes": 60, "oneTime": true}},
             "registrationAccess": {"allowedNetworks": ["127.0.0.0/8"]}}
            """, backend: .postgres)
        try directory.addUser("alice@contoso.com", name: "Alice")
        let first = try ServerProcess(directory: directory.directory, environment: directory.environment)
        let second = try ServerProcess(directory: directory.directory, environment: directory.environment)
        var reply = try await first.request(
            "POST", "/auth/signIn", json: ["userPrincipalName": "alice@contoso.com", "temporaryAccessPass": try directory.issuePass("alice@contoso.com")])
        XCTAssertEqual(reply.status, 201, reply.text)
        let session = try XCTUnwrap(reply.body["sessionToken"] as? String)

        // Begun on the first server: the code goes to the outbox beside the directory's key file.
        reply = try await first.request("POST", "/me/authentication/emailMethods/verifications", token: session, json: ["emailAddress": "alice@example.org"])
        XCTAssertEqual(reply.status, 202, reply.text)
        let step = try XCTUnwrap(reply.body["id"] as? String)
        XCTAssertEqual(reply.body["destination"] as? String, "alice@example.org")
        let outbox = URL(fileURLWithPath: directory.keyFile).deletingLastPathComponent().appendingPathComponent("outbox.jsonl").path
        let line = try XCTUnwrap(try String(contentsOfFile: outbox, encoding: .utf8).split(separator: "\n").last)
        let message = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let code = try XCTUnwrap((message["message"] as? String)?.firstMatch(of: /\d{6}/).map { String($0.output) })

        // A wrong code on the second server: refused, nothing added, the step pending under a new id.
        let wrong = code == "000000" ? "111111" : "000000"
        reply = try await second.request("POST", "/me/authentication/emailMethods/verifications/\(step)/complete", token: session, json: ["code": wrong])
        XCTAssertEqual(reply.status, 400, reply.text)
        let inner = try XCTUnwrap((reply.body["error"] as? [String: Any])?["innerError"] as? [String: Any])
        let retry = try XCTUnwrap(inner["@keybridge.retryId"] as? String, reply.text)
        XCTAssertNotEqual(retry, step)
        await XCTAssertTrueAsync(try await directory.methods("alice@contoso.com").isEmpty)
        // The old id is used up; the retry id with the right code adds the address.
        reply = try await second.request("POST", "/me/authentication/emailMethods/verifications/\(step)/complete", token: session, json: ["code": code])
        XCTAssertNotEqual(reply.status, 201, "a step id works once: \(reply.text)")
        reply = try await second.request("POST", "/me/authentication/emailMethods/verifications/\(retry)/complete", token: session, json: ["code": code])
        XCTAssertEqual(reply.status, 201, reply.text)
        XCTAssertEqual(reply.body["@odata.type"] as? String, "#microsoft.graph.emailAuthenticationMethod")
        XCTAssertEqual(reply.body["emailAddress"] as? String, "alice@example.org")

        // An authenticator app: the secret from the otpauth URI, its current code back.
        reply = try await first.request("POST", "/me/authentication/softwareOathMethods/registrations", token: session, json: ["displayName": "Phone"])
        XCTAssertEqual(reply.status, 202, reply.text)
        let appStep = try XCTUnwrap(reply.body["id"] as? String)
        let uri = try XCTUnwrap(reply.body["otpauthUri"] as? String)
        let secret = try XCTUnwrap(URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value)
        reply = try await second.request(
            "POST", "/me/authentication/softwareOathMethods/registrations/\(appStep)/complete", token: session,
            json: ["code": try SecurityInfoServerTests.oathtool(secret)])
        XCTAssertEqual(reply.status, 201, reply.text)
        XCTAssertEqual(reply.body["@odata.type"] as? String, "#microsoft.graph.softwareOathAuthenticationMethod")
        let kinds = try await directory.methods("alice@contoso.com").map(\.kind)
        XCTAssertEqual(Set(kinds), [.email, .otherAuthenticatorApp])
        // Both additions are audited as alice's own, in manage mode.
        let registered = try await directory.audit().filter { $0.action == "register" && $0.outcome == .success }
        XCTAssertEqual(registered.map(\.actor), [.user, .user])
    }
}
