import Foundation
import KeyBridgeFIDO
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// A user's own path through `keybridge serve`: signing in with a Temporary Access Pass or a key,
/// a session kept in the directory (so a second server accepts it), `/me/authentication/…`, and
/// the limits of what a session may do. The client is independent (requests + python-fido2 over
/// PC/SC + py_webauthn).
final class SignInAPITests: XCTestCase {
    func testAUserSignsInWithAPassRegistersAKeyAndSignsInWithItOnSQLite() async throws { try await selfService(.sqlite) }

    func testAUserSignsInWithAPassRegistersAKeyAndSignsInWithItOnPostgreSQL() async throws { try await selfService(.postgres) }

    func testWhatASessionMayDoOnSQLite() async throws { try await sessionLimits(.sqlite) }

    func testWhatASessionMayDoOnPostgreSQL() async throws { try await sessionLimits(.postgres) }

    /// A pass for alice, issued through the API with a manage token.
    private func issuePass(_ server: ServerProcess, manager: String) async throws -> String {
        let issued = try await server.request("POST", "/users/alice@contoso.com/authentication/temporaryAccessPassMethods", token: manager)
        XCTAssertEqual(issued.status, 201, issued.text)
        return try XCTUnwrap(issued.body["temporaryAccessPass"] as? String)
    }

    private func selfService(_ backend: DirectoryFixture.Backend) async throws {
        let (directory, server) = try GraphAPITests.serve(backend)
        let manager = try GraphAPITests.token(directory, ["manage"])
        let pass = try await issuePass(server, manager: manager)
        let card = try VirtualCardProcess()
        let script = TestPaths.packageRoot.appendingPathComponent("scripts/peers/graph_client.py").path
        let result = try ProcessRunner.run(
            TestPaths.peerPython, [script, "self-service", server.baseURL, "alice@contoso.com", pass, card.reader, "https://example.com"],
            timeout: 120)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let reply = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any], result.stdout)
        XCTAssertEqual(reply["passSignInStatus"] as? Int, 201, result.stdout)
        XCTAssertEqual(reply["registerStatus"] as? Int, 201, result.stdout)
        XCTAssertEqual((reply["registerBody"] as? [String: Any])?["displayName"] as? String, "My key")
        XCTAssertEqual(reply["signOutStatus"] as? Int, 204)
        XCTAssertEqual(reply["afterSignOutStatus"] as? Int, 401, "a signed-out session opens nothing")
        XCTAssertEqual(reply["keyOptionsStatus"] as? Int, 200)
        XCTAssertEqual(reply["keySignInStatus"] as? Int, 201, result.stdout)
        XCTAssertEqual(reply["methodsStatus"] as? Int, 200)
        let methods = try XCTUnwrap(reply["methods"] as? [[String: Any]])
        XCTAssertEqual(methods.compactMap { $0["@odata.type"] as? String }, ["#microsoft.graph.fido2AuthenticationMethod"])
        XCTAssertEqual(reply["replayStatus"] as? Int, 401, "an assertion signs in once")
        XCTAssertEqual(
            ((reply["replayBody"] as? [String: Any])?["error"] as? [String: Any]).flatMap { ($0["innerError"] as? [String: Any])?["code"] as? String },
            "mfaProofRejected")

        // The key was added by alice herself in manage mode; the sign-ins are audited with their proofs.
        let audit = try await directory.audit()
        let registration = try XCTUnwrap(audit.last { $0.action == "register" && $0.outcome == .success })
        XCTAssertEqual(registration.actor, .user)
        XCTAssertEqual(registration.mode, .manage)
        XCTAssertEqual(
            audit.filter { $0.action == "signIn" && $0.outcome == .success }.map(\.reason), ["temporaryAccessPass", "fido2"])
        XCTAssertEqual(audit.filter { $0.action == "signOut" }.count, 1)

        // The session opened on this server works on a second one sharing the directory, and
        // signing out there ends it here.
        let session = try XCTUnwrap(reply["sessionToken"] as? String)
        let second = try ServerProcess(directory: directory.directory, environment: directory.environment)
        let me = try await second.request("GET", "/me", token: session)
        XCTAssertEqual(me.status, 200, me.text)
        XCTAssertEqual(me.body["userPrincipalName"] as? String, "alice@contoso.com")
        XCTAssertEqual(me.body["id"] as? String, DirectoryUser.objectID(upn: "alice@contoso.com"))
        let signOut = try await second.request("POST", "/auth/signOut", token: session)
        XCTAssertEqual(signOut.status, 204)
        let afterwards = try await server.request("GET", "/me/authentication/methods", token: session)
        XCTAssertEqual(afterwards.status, 401)
    }

    private func sessionLimits(_ backend: DirectoryFixture.Backend) async throws {
        let (directory, server) = try GraphAPITests.serve(backend)
        try directory.addUser("bob@contoso.com", name: "Bob")
        let manager = try GraphAPITests.token(directory, ["manage", "read"])

        // Wrong and missing proofs open nothing.
        let wrong = try await server.request("POST", "/auth/signIn", json: ["userPrincipalName": "alice@contoso.com", "temporaryAccessPass": "NOT-A-PASS-1234"])
        XCTAssertEqual(wrong.status, 401, wrong.text)
        XCTAssertEqual(wrong.innerCode, "mfaProofRejected")
        let none = try await server.request("POST", "/auth/signIn", json: ["userPrincipalName": "alice@contoso.com"])
        XCTAssertEqual(none.status, 400)
        let two = try await server.request(
            "POST", "/auth/signIn", json: ["userPrincipalName": "alice@contoso.com", "temporaryAccessPass": "x", "oneTimeCode": "123456"])
        XCTAssertEqual(two.status, 400, "exactly one proof")
        let noKeys = try await server.request("POST", "/auth/signIn/fido2Options", json: ["userPrincipalName": "alice@contoso.com"])
        XCTAssertEqual(noKeys.status, 404, "alice has no key to sign in with")

        let pass = try await issuePass(server, manager: manager)
        let opened = try await server.request("POST", "/auth/signIn", json: ["userPrincipalName": "alice@contoso.com", "temporaryAccessPass": pass])
        XCTAssertEqual(opened.status, 201, opened.text)
        let session = try XCTUnwrap(opened.body["sessionToken"] as? String)
        XCTAssertEqual(opened.body["tenant"] as? String, "contoso")
        let reused = try await server.request("POST", "/auth/signIn", json: ["userPrincipalName": "alice@contoso.com", "temporaryAccessPass": pass])
        XCTAssertEqual(reused.status, 401, "the tenant's passes are one-time")

        // Her own resources, by /me, by UPN or by object id; nobody else's.
        for path in ["/me/authentication/methods", "/users/alice@contoso.com/authentication/methods",
            "/beta/users/\(DirectoryUser.objectID(upn: "alice@contoso.com"))/authentication/fido2Methods"]
        {
            let own = try await server.request("GET", path, token: session)
            XCTAssertEqual(own.status, 200, "\(path): \(own.text)")
        }
        let listed = try await server.request("GET", "/me/authentication/methods", token: session)
        XCTAssertEqual(listed.body["@odata.context"] as? String, "https://graph.microsoft.com/beta/$metadata#me/authentication/methods")
        let bobs = try await server.request("GET", "/users/bob@contoso.com/authentication/methods", token: session)
        XCTAssertEqual(bobs.status, 403, bobs.text)
        let options = try await server.request("GET", "/me/authentication/fido2Methods/creationOptions", token: session)
        XCTAssertEqual(options.status, 200, "manage mode opens from her session: \(options.text)")

        // What stays an admin's: passes, policies; /me is not an API token's.
        let selfPass = try await server.request("POST", "/me/authentication/temporaryAccessPassMethods", token: session)
        XCTAssertEqual(selfPass.status, 403, selfPass.text)
        let policy = try await server.request("GET", "/policies/authenticationMethodsPolicy", token: session)
        XCTAssertEqual(policy.status, 403)
        let meByToken = try await server.request("GET", "/me/authentication/methods", token: manager)
        XCTAssertEqual(meByToken.status, 400)

        // A forged session token, and sign-out.
        let forged = try await server.request("GET", "/me", token: session + "x")
        XCTAssertEqual(forged.status, 401)
        let signedOut = try await server.request("POST", "/auth/signOut", token: session)
        XCTAssertEqual(signedOut.status, 204)
        let afterwards = try await server.request("GET", "/me", token: session)
        XCTAssertEqual(afterwards.status, 401)

        // An admin revokes her sign-in sessions (Graph's revokeSignInSessions): they end at once.
        let second = try await server.request("POST", "/auth/signIn", json: ["userPrincipalName": "alice@contoso.com", "temporaryAccessPass": try await issuePass(server, manager: manager)])
        let other = try XCTUnwrap(second.body["sessionToken"] as? String, second.text)
        let revoked = try await server.request("POST", "/users/alice@contoso.com/revokeSignInSessions", token: manager)
        XCTAssertEqual(revoked.status, 200, revoked.text)
        XCTAssertEqual(revoked.body["value"] as? Bool, true)
        let afterRevoke = try await server.request("GET", "/me", token: other)
        XCTAssertEqual(afterRevoke.status, 401, "revoked")
        let audited = try await directory.audit().last { $0.action == "revokeSessions" }
        XCTAssertEqual(audited?.reason, "1 by token:t-manage-read")

        // From the command line, too: a new session, then `admin user revoke-sessions`.
        let third = try await server.request("POST", "/auth/signIn", json: ["userPrincipalName": "alice@contoso.com", "temporaryAccessPass": try await issuePass(server, manager: manager)])
        let session3 = try XCTUnwrap(third.body["sessionToken"] as? String, third.text)
        let cli = try directory.admin(["user", "revoke-sessions", "--user", "alice@contoso.com", "--json"])
        let ended = try JSONSerialization.jsonObject(with: cli.stdoutData) as? [String: Any]
        XCTAssertEqual(ended?["revoked"] as? Int, 1, cli.stdout)
        let afterCLI = try await server.request("GET", "/me", token: session3)
        XCTAssertEqual(afterCLI.status, 401)
    }
}
