import Foundation
import KeyBridgeRegistration
import XCTest

/// What a `kiosk` API token may do on `keybridge serve` — read a new hire, their groups and
/// whether they need a pass, issue and delete their passes, see its own tenant — and what it may
/// not: read or change anyone's methods, register keys on a user's behalf, read policies, act in
/// another tenant. The kiosk flow itself runs through a server in ``KioskServerTests``.
final class KioskAPITests: XCTestCase {
    func testWhatAKioskTokenMayDoOnSQLite() async throws { try await kioskToken(.sqlite) }

    func testWhatAKioskTokenMayDoOnPostgreSQL() async throws { try await kioskToken(.postgres) }

    private func kioskToken(_ backend: DirectoryFixture.Backend) async throws {
        let (directory, server) = try GraphAPITests.serve(backend)
        try directory.addUser("hr@contoso.com", name: "HR Desk", groups: ["kiosk-operators", "hr"])
        try directory.admin(["tenant", "add", "--id", "fabrikam", "--name", "Fabrikam", "--rp-id", "fabrikam.com", "--origin", "https://login.fabrikam.com"])
        try directory.admin(["user", "add", "--upn", "fred@fabrikam.com", "--display-name", "Fred", "--home-tenant", "fabrikam"])
        let kiosk = try GraphAPITests.token(directory, ["kiosk"])
        let reader = try GraphAPITests.token(directory, ["read"])

        // The new hire and the operator's groups, in Graph's shapes.
        var reply = try await server.request("GET", "/users/alice@contoso.com", token: kiosk)
        XCTAssertEqual(reply.status, 200, reply.text)
        XCTAssertEqual(reply.body["displayName"] as? String, "Alice")
        XCTAssertEqual(reply.body["userPrincipalName"] as? String, "alice@contoso.com")
        let aliceID = try XCTUnwrap(reply.body["id"] as? String)
        reply = try await server.request("GET", "/users/\(aliceID)", token: kiosk)
        XCTAssertEqual(reply.body["userPrincipalName"] as? String, "alice@contoso.com", "by object id too")
        reply = try await server.request("GET", "/users/hr@contoso.com/memberOf", token: kiosk)
        XCTAssertEqual(reply.status, 200, reply.text)
        XCTAssertEqual(reply.values.compactMap { $0["displayName"] as? String }, ["hr", "kiosk-operators"])
        XCTAssertTrue(reply.values.allSatisfy { $0["@odata.type"] as? String == "#microsoft.graph.group" })
        reply = try await server.request("GET", "/users/alice@contoso.com/memberOf", token: kiosk)
        XCTAssertEqual(reply.values.count, 0)
        reply = try await server.request("GET", "/users/nobody@contoso.com", token: kiosk)
        XCTAssertEqual(reply.status, 404)
        reply = try await server.request("GET", "/organization", token: kiosk)
        XCTAssertEqual(reply.values.compactMap { $0["id"] as? String }, ["contoso"], "a tenant-bound token sees its tenant only")

        // Whether opening alice's security info needs a proof: not before she has an MFA method.
        reply = try await server.request("GET", "/users/alice@contoso.com/authentication/requirements", token: kiosk)
        XCTAssertEqual(reply.status, 200, reply.text)
        XCTAssertEqual(reply.body["perUserMfaState"] as? String, "disabled")
        // Once she has a phone (an MFA method, added by an admin), she does.
        let manager = try GraphAPITests.token(directory, ["manage"])
        reply = try await server.request(
            "POST", "/users/alice@contoso.com/authentication/phoneMethods", token: manager, json: ["phoneNumber": "+1 555 0100", "phoneType": "mobile"])
        XCTAssertEqual(reply.status, 201, reply.text)
        reply = try await server.request("GET", "/users/alice@contoso.com/authentication/requirements", token: kiosk)
        XCTAssertEqual(reply.body["perUserMfaState"] as? String, "enforced")

        // Passes: issued (audited under the token's name) and deleted.
        reply = try await server.request("POST", "/users/alice@contoso.com/authentication/temporaryAccessPassMethods", token: kiosk)
        XCTAssertEqual(reply.status, 201, reply.text)
        let passID = try XCTUnwrap(reply.body["id"] as? String)
        XCTAssertNotNil(reply.body["temporaryAccessPass"] as? String)
        reply = try await server.request("DELETE", "/users/alice@contoso.com/authentication/temporaryAccessPassMethods/\(passID)", token: kiosk)
        XCTAssertEqual(reply.status, 204, reply.text)
        let issued = try await directory.audit().filter { $0.action == "issueTemporaryAccessPass" }
        XCTAssertEqual(issued.map(\.reason), ["token:t-kiosk"])

        // Not a kiosk's business: methods, keys on a user's behalf, policies, other tenants.
        for (method, path) in [
            ("GET", "/users/alice@contoso.com/authentication/methods"),
            ("GET", "/users/alice@contoso.com/authentication/fido2Methods/creationOptions"),
            ("POST", "/users/alice@contoso.com/revokeSignInSessions"),
            ("GET", "/policies/authenticationMethodsPolicy"),
            ("GET", "/users/fred@fabrikam.com?tenant=fabrikam"),
        ] {
            reply = try await server.request(method, path, token: kiosk)
            XCTAssertEqual(reply.status, 403, "\(method) \(path): \(reply.text)")
        }
        reply = try await server.request("POST", "/users/alice@contoso.com/authentication/fido2Methods", token: kiosk, json: ["publicKeyCredential": [:]])
        XCTAssertTrue([400, 403].contains(reply.status), reply.text)
        let stored = try await directory.methods("alice@contoso.com")
        XCTAssertFalse(stored.contains { $0.kind == .fido2SecurityKey })

        // A read token reads the same objects but issues no pass.
        reply = try await server.request("GET", "/users/hr@contoso.com/memberOf", token: reader)
        XCTAssertEqual(reply.status, 200)
        reply = try await server.request("POST", "/users/alice@contoso.com/authentication/temporaryAccessPassMethods", token: reader)
        XCTAssertEqual(reply.status, 403, reply.text)

        // A signed-in user reads their own groups and requirements, and nobody else.
        let pass = try directory.issuePass("hr@contoso.com")
        reply = try await server.request("POST", "/auth/signIn", json: ["userPrincipalName": "hr@contoso.com", "temporaryAccessPass": pass])
        XCTAssertEqual(reply.status, 201, reply.text)
        let session = try XCTUnwrap(reply.body["sessionToken"] as? String)
        reply = try await server.request("GET", "/me/memberOf", token: session)
        XCTAssertEqual(reply.values.compactMap { $0["displayName"] as? String }, ["hr", "kiosk-operators"])
        reply = try await server.request("GET", "/me/authentication/requirements", token: session)
        XCTAssertEqual(reply.status, 200, reply.text)
        reply = try await server.request("GET", "/users/alice@contoso.com", token: session)
        XCTAssertEqual(reply.status, 403, reply.text)
        reply = try await server.request("GET", "/organization", token: session)
        XCTAssertEqual(reply.values.compactMap { $0["id"] as? String }, ["contoso"])
    }
}
