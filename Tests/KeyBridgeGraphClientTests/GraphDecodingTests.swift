import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeGraphClient
import KeyBridgeRegistration
import XCTest

/// Graph's JSON, as literal samples from `keybridge serve` and in Entra ID's documented shapes,
/// decoded into keybridge's types.
final class GraphDecodingTests: XCTestCase {
    /// 32 bytes 0…31: `AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8` in base64url (one `=` dropped).
    private let bytes32 = Array(UInt8(0)..<32)
    /// 16 bytes 0xF0…0xFF: `8PHy8_T19vf4-fr7_P3-_w` in base64url (two `=` dropped).
    private let bytes16 = Array(UInt8(0xF0)...UInt8(0xFF))

    func testKeybridgeCreationOptionsKeepTheAnnotatedOriginAndPlainCredentialIDs() throws {
        let json = """
            {"@keybridge.origin": "https://login.contoso.com",
             "@odata.context": "https://graph.microsoft.com/beta/$metadata#microsoft.graph.webauthnCredentialCreationOptions",
             "challengeTimeoutDateTime": "2030-01-02T03:04:05Z",
             "publicKey": {"challenge": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "timeout": 600000, "attestation": "none",
               "rp": {"id": "contoso.com", "name": "Contoso"},
               "user": {"id": "8PHy8_T19vf4-fr7_P3-_w", "name": "dana@contoso.com", "displayName": "Dana Scully"},
               "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
               "excludeCredentials": [{"type": "public-key", "id": "8PHy8_T19vf4-fr7_P3-_w"}],
               "authenticatorSelection": {"authenticatorAttachment": "cross-platform", "requireResidentKey": true,
                 "residentKey": "required", "userVerification": "required"},
               "extensions": {"hmacCreateSecret": true}}}
            """
        let options = try GraphDecoding.creationOptions(Data(json.utf8))
        XCTAssertEqual(options.origin, "https://login.contoso.com")
        XCTAssertEqual(options.relyingParty, RelyingParty(id: "contoso.com", name: "Contoso"))
        XCTAssertEqual(options.challenge, bytes32)
        XCTAssertEqual(options.userHandle, bytes16)
        XCTAssertEqual(options.userName, "dana@contoso.com")
        XCTAssertEqual(options.userDisplayName, "Dana Scully")
        XCTAssertEqual(options.excludeCredentials, [bytes16], "keybridge's ids are plain base64url, read one way only")
        XCTAssertTrue(options.residentKey)
        XCTAssertTrue(options.userVerification)
        XCTAssertEqual(options.attestation, "none")
        XCTAssertEqual(options.expires, ISO8601DateFormatter().date(from: "2030-01-02T03:04:05Z"))
    }

    func testEntraCreationOptionsInAValueWrapperWithPaddingDigitIDsAndSevenDigitFractions() throws {
        // Entra's shape (Graph beta docs): rp login.microsoft.com, residentKey only as
        // requireResidentKey, ids with a trailing padding digit, a seven-digit fraction of a second.
        let json = """
            {"value": {
              "@odata.context": "https://graph.microsoft.com/beta/$metadata#microsoft.graph.webauthnCredentialCreationOptions",
              "challengeTimeoutDateTime": "2030-08-18T22:13:33.6127917Z",
              "publicKey": {"challenge": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "timeout": 0, "attestation": "direct",
                "rp": {"id": "login.microsoft.com", "name": "Microsoft"},
                "user": {"id": "8PHy8_T19vf4-fr7_P3-_w", "displayName": "Kim Lee", "name": "kim@contoso.com"},
                "pubKeyCredParams": [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}],
                "excludeCredentials": [
                  {"id": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh81", "type": "public-key", "transports": []},
                  {"id": "8PHy8_T19vf4-fr7_P3-_w2", "type": "public-key", "transports": []}],
                "authenticatorSelection": {"authenticatorAttachment": "cross-platform", "requireResidentKey": true,
                  "userVerification": "required"},
                "extensions": {"hmacCreateSecret": true, "enforceCredentialProtectionPolicy": true}}}}
            """
        let options = try GraphDecoding.creationOptions(Data(json.utf8))
        XCTAssertEqual(options.origin, "https://login.microsoft.com")
        XCTAssertEqual(options.relyingParty.id, "login.microsoft.com")
        XCTAssertEqual(options.userName, "kim@contoso.com")
        XCTAssertEqual(options.attestation, "direct")
        XCTAssertTrue(options.residentKey, "requireResidentKey without residentKey")
        XCTAssertTrue(options.excludeCredentials.contains(bytes32), "\(options.excludeCredentials)")
        XCTAssertTrue(options.excludeCredentials.contains(bytes16), "\(options.excludeCredentials)")
        let expected = try XCTUnwrap(ISO8601DateFormatter().date(from: "2030-08-18T22:13:33Z")).addingTimeInterval(0.6127917)
        XCTAssertEqual(options.expires.timeIntervalSince1970, expected.timeIntervalSince1970, accuracy: 0.001)
    }

    func testAnotherRelyingPartysOriginIsItsHTTPSOrigin() throws {
        let json = """
            {"challengeTimeoutDateTime": "2030-01-02T03:04:05Z",
             "publicKey": {"challenge": "AAEC", "rp": {"id": "example.com"}, "user": {"id": "AAEC", "name": "a@example.com"},
               "authenticatorSelection": {"residentKey": "discouraged", "userVerification": "discouraged"}}}
            """
        let options = try GraphDecoding.creationOptions(Data(json.utf8))
        XCTAssertEqual(options.origin, "https://example.com")
        XCTAssertFalse(options.residentKey)
        XCTAssertFalse(options.userVerification)
        XCTAssertEqual(options.userDisplayName, "a@example.com")
        XCTAssertEqual(options.excludeCredentials, [])
    }

    func testCreationOptionsWithoutAChallengeAreRefused() {
        XCTAssertThrowsError(try GraphDecoding.creationOptions(Data(#"{"publicKey": {"rp": {"id": "x"}}}"#.utf8))) {
            XCTAssertEqual(($0 as? GraphDecoding.Failure)?.reason, "publicKey.challenge is missing or not base64url")
        }
        XCTAssertThrowsError(try GraphDecoding.creationOptions(Data("<html>".utf8))) {
            XCTAssertEqual(($0 as? GraphDecoding.Failure)?.reason, "the body is not JSON")
        }
    }

    func testCredentialIDsInBothForms() {
        // Entra's padding-digit form: 0, 1 or 2 `=` removed.
        XCTAssertEqual(GraphDecoding.credentialIDCandidates("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh81").first, bytes32)
        XCTAssertEqual(GraphDecoding.credentialIDCandidates("8PHy8_T19vf4-fr7_P3-_w2"), [bytes16], "no plain reading: the 2 has stray bits")
        XCTAssertEqual(GraphDecoding.credentialIDCandidates("AAECAwQF0"), [[0, 1, 2, 3, 4, 5]], "length ≡ 1 mod 4 is never plain")
        // Plain base64url.
        XCTAssertEqual(GraphDecoding.credentialIDCandidates("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"), [bytes32])
        XCTAssertEqual(GraphDecoding.credentialIDCandidates("8PHy8_T19vf4-fr7_P3-_w"), [bytes16])
        // Valid both ways: both readings are excluded; keybridge's ids are read plainly only.
        let ambiguous = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh81"
        XCTAssertEqual(GraphDecoding.credentialIDCandidates(ambiguous).count, 2)
        XCTAssertEqual(GraphDecoding.credentialIDCandidates(ambiguous, keybridge: true), [Base64URL.decode(ambiguous)!])
        XCTAssertEqual(GraphDecoding.credentialIDCandidates("not base64!"), [])
    }

    func testMethodCollectionsWithAndWithoutValue() throws {
        let items = """
            [{"@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": "k1", "displayName": "Blue key",
              "createdDateTime": "2030-01-02T03:04:05Z", "aaGuid": "f1d0f1d0-6b65-7962-7269-646765000001",
              "model": "keybridge virtual key", "attestationCertificates": [], "attestationLevel": "attested"},
             {"@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": "k2", "displayName": "Security key",
              "createdDateTime": "2030-01-02T03:04:05.1234567Z", "aaGuid": null, "model": null, "attestationLevel": "notAttested"},
             {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "p1", "phoneNumber": "+1 212 555 0100",
              "phoneType": "alternateMobile", "smsSignInState": "notSupported", "isDefault": true},
             {"@odata.type": "#microsoft.graph.emailAuthenticationMethod", "id": "e1", "emailAddress": "dana@example.org"},
             {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490"},
             {"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod", "id": "t1", "isUsable": true}]
            """
        let wrapped = #"{"@odata.context": "x", "@keybridge.tenant": "contoso", "value": "# + items + "}"
        let list = try GraphDecoding.methods(Data(wrapped.utf8), upn: "dana@contoso.com", tenant: nil)
        XCTAssertEqual(list.tenant, "contoso")
        XCTAssertEqual(list.methods.map(\.id), ["k1", "k2", "p1", "e1"], "passwords and passes are not in keybridge's method table")
        XCTAssertEqual(list.methods.map(\.kind), [.fido2SecurityKey, .fido2SecurityKey, .alternatePhone, .email])
        let blue = list.methods[0]
        XCTAssertEqual(blue.displayValue, "keybridge virtual key")
        XCTAssertEqual(blue.friendlyName, "Blue key")
        XCTAssertEqual(blue.fido2?.aaguid, [0xf1, 0xd0, 0xf1, 0xd0, 0x6b, 0x65, 0x79, 0x62, 0x72, 0x69, 0x64, 0x67, 0x65, 0x00, 0x00, 0x01])
        XCTAssertEqual(blue.fido2?.attestationLevel, "basic")
        XCTAssertEqual(blue.fido2?.credentialID, [], "Graph does not return the credential id")
        XCTAssertEqual(list.methods[1].friendlyName, nil, "a key named by its model has no friendly name")
        XCTAssertEqual(list.methods[1].fido2?.attestationLevel, "none")
        XCTAssertEqual(list.methods[2].displayValue, "+1 212 555 0100")
        XCTAssertTrue(list.methods[2].isDefault)
        XCTAssertEqual(list.methods[3].displayValue, "dana@example.org")

        let bare = try GraphDecoding.methods(Data(items.utf8), upn: "dana@contoso.com", tenant: "fabrikam")
        XCTAssertEqual(bare.methods.map(\.id), ["k1", "k2", "p1", "e1"])
        XCTAssertEqual(bare.tenant, "fabrikam", "without the annotation, the tenant asked for")
        XCTAssertThrowsError(try GraphDecoding.methods(Data(#"{"error": "x"}"#.utf8), upn: "a", tenant: nil)) {
            XCTAssertEqual(($0 as? GraphDecoding.Failure)?.reason, #"a collection is {"value": [...]}"#)
        }
    }

    func testRefusalsReadBackAsTheSameRegistrationErrors() {
        let catalog = MessageCatalog(language: "en")
        let refusals: [RegistrationError] = [
            .aaguidBlocked("f1d0f1d0-6b65-7962-7269-646765000001"), .aaguidNotAllowed("f1d0f1d0-6b65-7962-7269-646765000001"),
            .duplicateCredential, .challengeUnknownOrUsed, .attestationRequired, .methodDisabled(.fido2SecurityKey),
            .limitReached(.authenticatorApp, maximum: 5), .fido2SelfServiceDisabled, .userNotFound("nobody@contoso.com"),
            .wrongOrigin(expected: "https://a.example", got: "https://b.example"), .notAMember(tenant: "fabrikam"),
            .invalidInput("the challenge timeout must be between 5 and 43200 minutes"),
            .attestationUntrusted("the attestation certificate (leaf) does not chain to a trusted root"),
        ]
        for refusal in refusals {
            let body = try! JSONSerialization.data(withJSONObject: [
                "error": ["code": "whatever", "message": catalog.sentence(for: refusal), "innerError": ["code": refusal.code, "date": "x"]],
            ])
            let error = GraphDecoding.error(status: 400, body: body, server: "http://s", notFound: .userNotFound("u"))
            XCTAssertEqual(error as? RegistrationError, refusal, "\(refusal) came back as \(error)")
        }
    }

    func testFailuresThatAreNotRefusalsNameTheServer() {
        let server = "https://keybridge.example:8443"
        let storeFailure = Data(#"{"error": {"code": "generalException", "message": "The directory could not complete the request.", "innerError": {"code": "store"}}}"#.utf8)
        let failed = GraphDecoding.error(status: 500, body: storeFailure, server: server, notFound: .userNotFound("u")) as? RemoteDirectoryError
        XCTAssertEqual(failed?.kind, .serverFailure)
        XCTAssertEqual(failed?.code, "serverFailure")
        XCTAssertTrue(failed?.message.contains(server) ?? false, failed?.message ?? "")
        let gateway = GraphDecoding.error(status: 502, body: Data("<html>bad gateway</html>".utf8), server: server, notFound: .userNotFound("u"))
        XCTAssertEqual((gateway as? RemoteDirectoryError)?.kind, .serverFailure)

        let token = Data(#"{"error": {"code": "InvalidAuthenticationToken", "message": "Access token is missing or invalid.", "innerError": {"date": "x"}}}"#.utf8)
        XCTAssertEqual((GraphDecoding.error(status: 401, body: token, server: server, notFound: .userNotFound("u")) as? RemoteDirectoryError)?.kind, .unauthorized)
        let noUser = Data(#"{"error": {"code": "itemNotFound", "message": "No user nobody@contoso.com.", "innerError": {"date": "x"}}}"#.utf8)
        XCTAssertEqual(
            GraphDecoding.error(status: 404, body: noUser, server: server, notFound: .userNotFound("nobody@contoso.com")) as? RegistrationError,
            .userNotFound("nobody@contoso.com"))
        let html = GraphDecoding.error(status: 400, body: Data("<html>".utf8), server: server, notFound: .userNotFound("u"))
        XCTAssertEqual((html as? RemoteDirectoryError)?.kind, .unexpectedResponse)
        let unknown = Data(#"{"error": {"code": "tooManyRequests", "message": "Slow down.", "innerError": {"date": "x"}}}"#.utf8)
        let limited = GraphDecoding.error(status: 429, body: unknown, server: server, notFound: .userNotFound("u")) as? RemoteDirectoryError
        XCTAssertEqual(limited?.kind, .refused)
        XCTAssertEqual(limited?.status, 429)
    }

    func testTheClientNeverShowsItsTokenAndTakesOnlyHTTPURLs() throws {
        let client = try GraphClient(server: "https://user:secret@keybridge.example:8443/beta/", token: "kb_SECRET_TOKEN")
        XCTAssertEqual(client.server, "https://keybridge.example:8443/beta")
        XCTAssertFalse("\(client)".contains("kb_SECRET_TOKEN"))
        XCTAssertFalse(String(reflecting: client).contains("kb_SECRET_TOKEN"))
        var dumped = ""
        dump(client, to: &dumped)
        XCTAssertFalse(dumped.contains("kb_SECRET_TOKEN"), dumped)
        for server in ["ftp://x", "/var/lib/keybridge/directory.sqlite"] {
            XCTAssertThrowsError(try GraphClient(server: server, token: "t")) {
                let error = $0 as? RemoteDirectoryError
                XCTAssertEqual(error?.kind, .unexpectedResponse, "\($0)")
                XCTAssertEqual(error?.message.hasPrefix("\(server) is not a server URL"), true, "\($0)")
            }
        }
    }

    func testAnUnreachableServerIsAnErrorNamingItWithinTheTimeout() async throws {
        // Port 9 on loopback: nothing listens (connection refused).
        let client = try GraphClient(server: "http://127.0.0.1:9", token: "t", timeout: .seconds(5))
        let start = ContinuousClock.now
        do {
            _ = try await client.methods(user: "dana@contoso.com")
            XCTFail("no server answered")
        } catch let error as RemoteDirectoryError {
            XCTAssertEqual(error.kind, .unreachable)
            XCTAssertTrue(error.message.contains("http://127.0.0.1:9"), error.message)
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(6))
    }
}
