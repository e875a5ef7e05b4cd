import Foundation
import KeyBridgeFIDO
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// `keybridge serve` over real sockets: tokens and scopes, Graph's shapes and errors, an
/// independent client (requests + python-fido2 over PC/SC + py_webauthn) registering a key on a
/// user's behalf through the same manage-mode verifier.
final class GraphAPITests: XCTestCase {
    /// Security keys (attestation not enforced), passes; registration allowed from loopback.
    static let serverPolicy = """
        {"relyingParty": {"id": "example.com", "name": "Example"}, "origin": "https://example.com",
         "authenticationMethods": {
           "enabled": {"fido2SecurityKey": {}, "phone": {}, "email": {}},
           "temporaryAccessPass": {"lifetimeMinutes": 60, "oneTime": true}},
         "registrationAccess": {"allowedNetworks": ["127.0.0.0/8"]}}
        """

    /// A directory with alice, and a server on it.
    static func serve(_ backend: DirectoryFixture.Backend) throws -> (DirectoryFixture, ServerProcess) {
        let directory = try DirectoryFixture(policy: Self.serverPolicy, backend: backend)
        try directory.addUser("alice@contoso.com", name: "Alice")
        return (directory, try ServerProcess(directory: directory.directory, environment: directory.environment))
    }

    func testAnIndependentGraphClientRegistersAKeyOnAUsersBehalfOnSQLite() async throws {
        try await independentClientRegistersAKeyAndAReplayIsRefused(.sqlite)
    }

    func testAnIndependentGraphClientRegistersAKeyOnAUsersBehalfOnPostgreSQL() async throws {
        try await independentClientRegistersAKeyAndAReplayIsRefused(.postgres)
    }

    func testTokensScopesAndGraphErrorsOnSQLite() async throws { try await tokensScopesAndErrors(.sqlite) }

    func testTokensScopesAndGraphErrorsOnPostgreSQL() async throws { try await tokensScopesAndErrors(.postgres) }

    static func token(_ directory: DirectoryFixture, _ scopes: [String], tenant: String? = "contoso") throws -> String {
        let result = try directory.admin(["token", "issue", "--name", "t-\(scopes.joined(separator: "-"))", "--scope"] + scopes
            + (tenant.map { ["--tenant", $0] } ?? []) + ["--json"])
        let object = try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any]
        return try XCTUnwrap(object?["token"] as? String)
    }

    private func independentClientRegistersAKeyAndAReplayIsRefused(_ backend: DirectoryFixture.Backend) async throws {
        let (directory, server) = try Self.serve(backend)
        let manage = try Self.token(directory, ["manage", "read"])
        let card = try VirtualCardProcess()
        let script = TestPaths.packageRoot.appendingPathComponent("scripts/peers/graph_client.py").path
        let result = try ProcessRunner.run(
            TestPaths.peerPython, [script, "register", server.baseURL, manage, "alice@contoso.com", card.reader, "https://example.com", "--name", "Blue key"],
            timeout: 90)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let reply = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any], result.stdout)
        XCTAssertEqual(reply["postStatus"] as? Int, 201, result.stdout)
        let created = try XCTUnwrap(reply["postBody"] as? [String: Any])
        XCTAssertEqual(created["@odata.type"] as? String, "#microsoft.graph.fido2AuthenticationMethod")
        XCTAssertEqual(created["displayName"] as? String, "Blue key")
        XCTAssertEqual(created["aaGuid"] as? String, "f1d0f1d0-6b65-7962-7269-646765000001")
        XCTAssertEqual(created["attestationLevel"] as? String, "notAttested", "the tenant has no trust anchors to check it against")
        XCTAssertEqual(reply["replayStatus"] as? Int, 400, "a used challenge cannot register again")
        XCTAssertEqual(((reply["replayBody"] as? [String: Any])?["error"] as? [String: Any]).flatMap { ($0["innerError"] as? [String: Any])?["code"] as? String }, "challengeUnknownOrUsed")

        // What py_webauthn verified is what the directory stored, and the key is listed in Graph's shape.
        let stored = try await directory.methods("alice@contoso.com").compactMap(\.fido2)
        XCTAssertEqual(stored.count, 1)
        XCTAssertEqual(stored.first.map { Base64URL.encode($0.credentialID) }, reply["pyWebauthnCredentialId"] as? String)
        let listed = try await server.request("GET", "/beta/users/alice@contoso.com/authentication/fido2Methods", token: manage)
        XCTAssertEqual(listed.values.compactMap { $0["id"] as? String }, [created["id"] as? String].compactMap { $0 })
        // Audited as an admin acting through the token, in manage mode.
        let registrations = try await directory.audit().filter { $0.action == "register" && $0.upn == "alice@contoso.com" }
        XCTAssertEqual(registrations.map(\.outcome), [.success, .failure], "the key, then the refused replay")
        XCTAssertEqual(registrations.map(\.actor), [.admin, .admin])
        XCTAssertEqual(registrations.last?.reason, "challengeUnknownOrUsed")
        let start = try await directory.audit().last { $0.action == "start" && $0.outcome == .success }
        XCTAssertEqual(start?.reason, "on behalf: t-manage-read")

        // Deleting it through the API removes it from the directory.
        let id = try XCTUnwrap(created["id"] as? String)
        let deleted = try await server.request("DELETE", "/users/alice@contoso.com/authentication/fido2Methods/\(id)", token: manage)
        XCTAssertEqual(deleted.status, 204, deleted.text)
        await XCTAssertTrueAsync(try await directory.methods("alice@contoso.com").isEmpty)
        let again = try await server.request("DELETE", "/users/alice@contoso.com/authentication/fido2Methods/\(id)", token: manage)
        XCTAssertEqual(again.status, 404)
        XCTAssertEqual(again.errorCode, "itemNotFound")
    }

    /// Tokens and scopes decide who may call; errors use Graph's envelope.
    private func tokensScopesAndErrors(_ backend: DirectoryFixture.Backend) async throws {
        let (directory, server) = try Self.serve(backend)
        let reader = try Self.token(directory, ["read"])
        let manager = try Self.token(directory, ["manage"])
        let elsewhere = try directory.admin(["tenant", "add", "--id", "fabrikam", "--rp-id", "fabrikam.com", "--origin", "https://fabrikam.com"])
        XCTAssertEqual(elsewhere.status, 0)
        let foreign = try Self.token(directory, ["manage", "read"], tenant: "fabrikam")

        let health = try await server.request("GET", "/healthz")
        XCTAssertEqual(health.status, 200)
        let anonymous = try await server.request("GET", "/users/alice@contoso.com/authentication/methods")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(anonymous.errorCode, "InvalidAuthenticationToken")
        let forged = try await server.request("GET", "/users/alice@contoso.com/authentication/methods", token: reader + "x")
        XCTAssertEqual(forged.status, 401, "a token with a wrong secret is refused")

        let listed = try await server.request("GET", "/users/alice@contoso.com/authentication/methods", token: reader)
        XCTAssertEqual(listed.status, 200, listed.text)
        XCTAssertEqual(listed.values.count, 0)
        let userID = DirectoryUser.objectID(upn: "alice@contoso.com")
        let byID = try await server.request("GET", "/v1.0/users/\(userID)/authentication/methods", token: reader)
        XCTAssertEqual(byID.status, 200, "users are addressed by object id too")

        let readOnly = try await server.request("GET", "/users/alice@contoso.com/authentication/fido2Methods/creationOptions", token: reader)
        XCTAssertEqual(readOnly.status, 403, "creation options open a manage session: read is not enough")
        XCTAssertEqual(readOnly.errorCode, "accessDenied")
        let otherTenant = try await server.request("GET", "/users/alice@contoso.com/authentication/methods", token: foreign)
        XCTAssertEqual(otherTenant.status, 404, "alice is not in the token's tenant")
        let nobody = try await server.request("GET", "/users/nobody@contoso.com/authentication/methods", token: reader)
        XCTAssertEqual(nobody.status, 404)
        XCTAssertEqual(nobody.errorCode, "itemNotFound")

        // Creation options: the query form and the function form, bounded like Graph's.
        let options = try await server.request(
            "GET", "/users/alice@contoso.com/authentication/fido2Methods/creationOptions(challengeTimeoutInMinutes=10)", token: manager)
        XCTAssertEqual(options.status, 200, options.text)
        let publicKey = try XCTUnwrap(options.body["publicKey"] as? [String: Any])
        XCTAssertEqual((publicKey["rp"] as? [String: Any])?["id"] as? String, "example.com")
        XCTAssertEqual((publicKey["user"] as? [String: Any])?["name"] as? String, "alice@contoso.com")
        XCTAssertEqual((publicKey["challenge"] as? String).flatMap(Base64URL.decode)?.count, 32)
        let timeout = try XCTUnwrap(publicKey["timeout"] as? Int)
        XCTAssertTrue((590_000...600_000).contains(timeout), "\(timeout)")
        let tooShort = try await server.request(
            "GET", "/users/alice@contoso.com/authentication/fido2Methods/creationOptions?challengeTimeoutInMinutes=1", token: manager)
        XCTAssertEqual(tooShort.status, 400)
        XCTAssertEqual(tooShort.innerCode, "invalidInput")

        // A body that is not a registration is refused before anything is stored.
        let garbage = try await server.request("POST", "/users/alice@contoso.com/authentication/fido2Methods", token: manager, json: ["displayName": "x"])
        XCTAssertEqual(garbage.status, 400, garbage.text)
        XCTAssertEqual(garbage.errorCode, "badRequest")
        let notJSON = try await server.request(
            "POST", "/users/alice@contoso.com/authentication/fido2Methods", token: manager, rawBody: Data("{".utf8))
        XCTAssertEqual(notJSON.status, 400)
        let huge = try await server.request(
            "POST", "/users/alice@contoso.com/authentication/fido2Methods", token: manager, rawBody: Data(repeating: 0x20, count: 200_000))
        XCTAssertEqual(huge.status, 413, "bodies are bounded")
        await XCTAssertTrueAsync(try await directory.methods("alice@contoso.com").isEmpty)

        // Temporary Access Passes: issued once with the pass, listed without it, deleted.
        let issued = try await server.request("POST", "/users/alice@contoso.com/authentication/temporaryAccessPassMethods", token: manager, json: [:])
        XCTAssertEqual(issued.status, 201, issued.text)
        let pass = try XCTUnwrap(issued.body["temporaryAccessPass"] as? String)
        XCTAssertEqual(pass.count, 16)
        XCTAssertEqual(issued.body["isUsableOnce"] as? Bool, true)
        let passes = try await server.request("GET", "/users/alice@contoso.com/authentication/temporaryAccessPassMethods", token: reader)
        XCTAssertEqual(passes.values.count, 1)
        XCTAssertNil(passes.values.first?["temporaryAccessPass"], "the pass is shown only when issued")
        let passID = try XCTUnwrap(issued.body["id"] as? String)
        let removed = try await server.request("DELETE", "/users/alice@contoso.com/authentication/temporaryAccessPassMethods/\(passID)", token: manager)
        XCTAssertEqual(removed.status, 204)
        await XCTAssertEqualAsync(try await directory.withStore { try await $0.passes(upn: "alice@contoso.com", tenant: "contoso").count }, 0)

        // The policy in Graph's shape: keys self-service without attestation, apps disabled, the TAP settings.
        let policy = try await server.request("GET", "/policies/authenticationMethodsPolicy", token: reader)
        XCTAssertEqual(policy.status, 200, policy.text)
        let configurations = try XCTUnwrap(policy.body["authenticationMethodConfigurations"] as? [[String: Any]])
        let configuration = Dictionary(uniqueKeysWithValues: configurations.compactMap { item in (item["id"] as? String).map { ($0, item) } })
        XCTAssertEqual(configuration["Fido2"]?["state"] as? String, "enabled")
        XCTAssertEqual(configuration["Fido2"]?["isAttestationEnforced"] as? Bool, false)
        XCTAssertEqual(configuration["SoftwareOath"]?["state"] as? String, "disabled")
        XCTAssertEqual(configuration["Email"]?["state"] as? String, "enabled")
        XCTAssertEqual(configuration["TemporaryAccessPass"]?["defaultLifetimeInMinutes"] as? Int, 60)
        let otherPolicy = try await server.request("GET", "/policies/authenticationMethodsPolicy?tenant=fabrikam", token: reader)
        XCTAssertEqual(otherPolicy.status, 403, "a token reads only its own tenant's policy")

        // A revoked token stops working at once.
        let tokenID = String(manager.split(separator: "_")[1])
        try directory.admin(["token", "revoke", "--id", tokenID])
        let revoked = try await server.request("GET", "/users/alice@contoso.com/authentication/methods", token: manager)
        XCTAssertEqual(revoked.status, 401)
        XCTAssertFalse(server.log.contains(manager), "tokens never reach the log")
        XCTAssertFalse(server.log.contains(pass), "passes never reach the log")
    }
}
