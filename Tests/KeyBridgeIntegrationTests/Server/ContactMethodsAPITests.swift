import Foundation
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Graph's phoneMethods and emailMethods: an admin's token adds (as Entra's admins can), reads and
/// deletes them; a signed-in user may delete their own but adds them only on the page, with a code.
final class ContactMethodsAPITests: XCTestCase {
    func testAdminsAddPhonesAndAddressesUsersDeleteTheirOwnOnSQLite() async throws { try await contacts(.sqlite) }

    func testAdminsAddPhonesAndAddressesUsersDeleteTheirOwnOnPostgreSQL() async throws { try await contacts(.postgres) }

    private func contacts(_ backend: DirectoryFixture.Backend) async throws {
        let (directory, server) = try GraphAPITests.serve(backend)
        let manager = try GraphAPITests.token(directory, ["manage", "read"])
        let reader = try GraphAPITests.token(directory, ["read"])
        let base = "/users/alice@contoso.com/authentication"

        let phone = try await server.request(
            "POST", "\(base)/phoneMethods", token: manager, json: ["phoneNumber": "+1 2065550100", "phoneType": "mobile"])
        XCTAssertEqual(phone.status, 201, phone.text)
        XCTAssertEqual(phone.body["@odata.type"] as? String, "#microsoft.graph.phoneAuthenticationMethod")
        XCTAssertEqual(phone.body["phoneType"] as? String, "mobile")
        XCTAssertEqual(phone.body["phoneNumber"] as? String, "+1 2065550100")
        let email = try await server.request("POST", "\(base)/emailMethods", token: manager, json: ["emailAddress": "alice@example.org"])
        XCTAssertEqual(email.status, 201, email.text)
        XCTAssertEqual(email.body["emailAddress"] as? String, "alice@example.org")

        for (path, body) in [
            ("phoneMethods", ["phoneNumber": "2065550100"]), ("phoneMethods", ["phoneNumber": "+1 206", "phoneType": "pager"]),
            ("emailMethods", ["emailAddress": "not an address"]),
        ] {
            let refused = try await server.request("POST", "\(base)/\(path)", token: manager, json: body)
            XCTAssertEqual(refused.status, 400, "\(body): \(refused.text)")
        }
        let readOnly = try await server.request("POST", "\(base)/emailMethods", token: reader, json: ["emailAddress": "x@example.org"])
        XCTAssertEqual(readOnly.status, 403)

        let phoneID = try XCTUnwrap(phone.body["id"] as? String)
        let item = try await server.request("GET", "\(base)/phoneMethods/\(phoneID)", token: reader)
        XCTAssertEqual(item.status, 200)
        XCTAssertEqual(item.body["id"] as? String, phoneID)
        let wrongCollection = try await server.request("GET", "\(base)/emailMethods/\(phoneID)", token: reader)
        XCTAssertEqual(wrongCollection.status, 404, "a phone is not an e-mail method")
        let listed = try await server.request("GET", "\(base)/phoneMethods", token: reader)
        XCTAssertEqual(listed.values.compactMap { $0["id"] as? String }, [phoneID])

        // Alice, signed in with a pass: no unverified contacts through the API, but her own may go.
        let pass = try directory.issuePass("alice@contoso.com")
        let opened = try await server.request("POST", "/auth/signIn", json: ["userPrincipalName": "alice@contoso.com", "temporaryAccessPass": pass])
        let session = try XCTUnwrap(opened.body["sessionToken"] as? String, opened.text)
        let own = try await server.request("POST", "/me/authentication/phoneMethods", token: session, json: ["phoneNumber": "+1 2065550199"])
        XCTAssertEqual(own.status, 403, own.text)
        let deleted = try await server.request("DELETE", "/me/authentication/phoneMethods/\(phoneID)", token: session)
        XCTAssertEqual(deleted.status, 204, deleted.text)
        let gone = try await server.request("GET", "\(base)/phoneMethods/\(phoneID)", token: reader)
        XCTAssertEqual(gone.status, 404)

        let audit = try await directory.audit().filter { $0.upn == "alice@contoso.com" }
        let added = audit.filter { $0.action == "register" && $0.outcome == .success }
        XCTAssertEqual(added.map(\.actor), [.admin, .admin])
        XCTAssertEqual(added.first?.reason, "token:t-manage-read")
        XCTAssertEqual(audit.last { $0.action == "delete" }?.actor, .user)
        await XCTAssertEqualAsync(try await directory.methods("alice@contoso.com").map(\.kind), [.email])
    }
}
