import Foundation
import KeyBridgeFIDO
import KeyBridgeYKOATH
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// `keybridge security-info` and `keybridge admin` against the embedded directory, run as people
/// would: a new user registers a first key with a Temporary Access Pass (used up when one-time);
/// a user with an authenticator app must prove MFA (a code computed by Debian's oathtool) before
/// a key is added or a method deleted.
final class SecurityInfoCLITests: XCTestCase {
    private let office = ["--client-address", "10.1.2.3", "--client-device", "ws-17"]

    private func json(_ result: ProcessResult) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any], result.stdout + result.stderr)
    }

    private func errorCode(_ result: ProcessResult) -> String? {
        ((try? JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])?["error"] as? [String: Any])?["code"] as? String
    }

    func testANewUserRegistersAKeyWithATemporaryAccessPassThatIsUsedUp() async throws {
        let directory = try DirectoryFixture()
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        let key = try VirtualKeyProcess(options: ["--attestation", "packed"])
        let add = ["security-info", "add", "security-key", "--user", "dana@contoso.com", "--device", key.deviceID, "--name", "Blue key", "--json"]

        // The tenant always asks for MFA: without a pass nothing happens, not even on the key.
        var result = try directory.keybridge(add + office, environment: ["KEYBRIDGE_NEW_PIN": "246810"])
        XCTAssertEqual(result.status, 12, result.stdout)
        XCTAssertEqual(errorCode(result), "mfaRequired")
        XCTAssertEqual(try clientPIN(key.deviceID), false, "the key was not touched")

        // From a network outside the access rule even a valid pass is refused — and not used up.
        let pass = try directory.issuePass("dana@contoso.com")
        result = try directory.keybridge(
            add + ["--client-address", "198.51.100.7", "--client-device", "cafe-laptop"],
            environment: ["KEYBRIDGE_NEW_PIN": "246810", "KEYBRIDGE_TAP": pass])
        XCTAssertEqual(result.status, 12)
        XCTAssertEqual(errorCode(result), "accessDenied")

        result = try directory.keybridge(add + office, environment: ["KEYBRIDGE_NEW_PIN": "246810", "KEYBRIDGE_TAP": pass])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let added = try json(result)
        XCTAssertEqual(added["pinSet"] as? Bool, true)
        let method = try XCTUnwrap(added["method"] as? [String: Any])
        XCTAssertEqual(method["kind"] as? String, "fido2SecurityKey")
        XCTAssertEqual(method["friendlyName"] as? String, "Blue key")
        let methodID = try XCTUnwrap(method["id"] as? String)
        // py_webauthn, an independent verifier, accepts what the CLI registered.
        let credential = try JSONDecoder().decode(
            RegistrationResponseJSON.self, from: JSONSerialization.data(withJSONObject: try XCTUnwrap(added["credential"])))
        let clientData = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(credential.response.clientDataJSON ?? "") ?? []))
        let challenge = try XCTUnwrap(Base64URL.decode((clientData as? [String: Any])?["challenge"] as? String ?? ""))
        let verdict = try WebAuthnPeer.verifyRegistration(
            credential, challenge: challenge, origin: DirectoryFixture.origin, rpID: "contoso.com")
        XCTAssertTrue(verdict.verified, verdict.error ?? "")

        // The one-time pass is used up; the new key proves MFA from now on.
        result = try directory.keybridge(["security-info", "list", "--user", "dana@contoso.com", "--json"] + office, environment: ["KEYBRIDGE_TAP": pass])
        XCTAssertEqual(result.status, 12)
        XCTAssertEqual(errorCode(result), "mfaProofRejected")
        result = try directory.keybridge(
            ["security-info", "list", "--user", "dana@contoso.com", "--mfa-device", key.deviceID, "--json"] + office)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let listed = try XCTUnwrap(try json(result)["methods"] as? [[String: Any]])
        XCTAssertEqual(listed.map { $0["id"] as? String }, [methodID])
        XCTAssertEqual((listed[0]["securityKey"] as? [String: Any])?["attestation"] as? String, "basic")
        XCTAssertEqual((listed[0]["securityKey"] as? [String: Any])?["credentialId"] as? String, credential.id)

        // Deleting it (MFA with the key itself) empties the security info.
        result = try directory.keybridge(
            ["security-info", "delete", "--user", "dana@contoso.com", "--method", methodID, "--mfa-device", key.deviceID, "--json"] + office)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        await XCTAssertTrueAsync(try await directory.methods("dana@contoso.com").isEmpty)
        let actions = try await directory.audit().filter { $0.upn == "dana@contoso.com" }.map { "\($0.action):\($0.outcome.rawValue):\($0.reason ?? "")" }
        XCTAssertTrue(actions.contains("start:failure:mfaRequired"), "\(actions)")
        XCTAssertTrue(actions.contains("start:failure:accessDenied"), "\(actions)")
        XCTAssertTrue(actions.contains("register:success:fido2SecurityKey"), "\(actions)")
        XCTAssertTrue(actions.contains("delete:success:"), "\(actions)")
    }

    func testUnderTheDefaultPolicyAFirstKeyNeedsAPassAndTurningThatOffIsWarnedAbout() async throws {
        let policy = """
            {"relyingParty": {"id": "contoso.com"}, "origin": "https://login.contoso.com",
             "authenticationMethods": {"enabled": {"fido2SecurityKey": {}}}}
            """
        let directory = try DirectoryFixture(policy: policy)
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        let key = try VirtualKeyProcess()
        let add = ["security-info", "add", "security-key", "--user", "dana@contoso.com", "--device", key.deviceID, "--json"] + office

        // No method, no pass: refused before the key is touched, and audited.
        var result = try directory.keybridge(add, environment: ["KEYBRIDGE_NEW_PIN": "246810"])
        XCTAssertEqual(result.status, 12, result.stdout + result.stderr)
        XCTAssertEqual(errorCode(result), "temporaryAccessPassRequired")
        XCTAssertTrue(result.stderr.contains("Temporary Access Pass"), result.stderr)
        XCTAssertEqual(try clientPIN(key.deviceID), false, "the key was not touched")
        // A made-up pass is checked, not ignored.
        result = try directory.keybridge(add, environment: ["KEYBRIDGE_NEW_PIN": "246810", "KEYBRIDGE_TAP": "ABCDEFGHJKMNPQRS"])
        XCTAssertEqual(errorCode(result), "mfaProofRejected", result.stdout)
        await XCTAssertTrueAsync(try await directory.methods("dana@contoso.com").isEmpty)
        let refusals = try await directory.audit().filter { $0.action == "start" }.map { $0.reason ?? "" }
        XCTAssertEqual(refusals.count, 2)
        XCTAssertEqual(refusals.first, "temporaryAccessPassRequired")

        // An admin turns the gate off: policy show and doctor warn, and the key goes in without a pass.
        let open = directory.folder.appendingPathComponent("open.json").path
        try policy.replacingOccurrences(of: "\"origin\": \"https://login.contoso.com\",", with: "\"origin\": \"https://login.contoso.com\", \"registrationAccess\": {\"allowFirstRegistrationWithoutProof\": true},")
            .write(toFile: open, atomically: true, encoding: .utf8)
        try directory.admin(["policy", "set", "--tenant", "contoso", "--file", open])
        let shown = try directory.keybridge(["admin", "policy", "show", "--tenant", "contoso"])
        XCTAssertTrue(shown.stdout.contains("\"allowFirstRegistrationWithoutProof\" : true"), shown.stdout)
        XCTAssertTrue(shown.stderr.contains("warning:") && shown.stderr.contains("with no proof"), shown.stderr)
        let doctor = try directory.keybridge(["doctor", "--json", "--directory", directory.databasePath])
        let findings = try XCTUnwrap(try JSONSerialization.jsonObject(with: doctor.stdoutData) as? [[String: Any]], doctor.stdout)
        let gate = findings.first { $0["check"] as? String == "policy" }
        XCTAssertEqual(gate?["status"] as? String, "warning", "\(findings)")
        XCTAssertEqual(gate?["subject"] as? String, "contoso")
        result = try directory.keybridge(add, environment: ["KEYBRIDGE_NEW_PIN": "246810"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    }

    func testAUserWithAnAuthenticatorAppProvesMFAWithItsCodeBeforeAKeyIsAdded() async throws {
        let directory = try DirectoryFixture(policy: """
            {"relyingParty": {"id": "contoso.com"}, "origin": "https://login.contoso.com",
             "authenticationMethods": {"enabled": {"fido2SecurityKey": {}, "otherAuthenticatorApp": {}}}}
            """)
        try directory.addUser("fox@contoso.com", name: "Fox Mulder")

        // The app is registered on a terminal: the otpauth URI is shown once, the app's code typed back.
        let output = directory.folder.appendingPathComponent("app.json").path
        let terminal = try TmuxSession(
            ["/bin/sh", "-c", "\(TmuxSession.quote(TestPaths.keybridge)) security-info add authenticator-app --user fox@contoso.com --name Phone --json > \(output)"],
            environment: directory.environment.merging(["KEYBRIDGE_TAP": try directory.issuePass("fox@contoso.com")]) { $1 })
        let screen = try terminal.waitFor("Current code from the app:")
        let uri = try XCTUnwrap(screen.firstMatch(of: /otpauth:\/\/\S+/).map { String($0.output) }, screen)
        let secret = try XCTUnwrap(URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value)
        try terminal.type(try oathtool(secret))
        try terminal.waitFor("[exited 0]")
        let app = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [String: Any])?["method"] as? [String: Any])
        XCTAssertEqual(app["kind"] as? String, "otherAuthenticatorApp")
        let seed = try XCTUnwrap(Base32.decode(secret))
        SecretsAtRest.assertAbsent(SecretsAtRest.spellings(of: seed), besides: directory.databasePath, "the app's seed")
        XCTAssertFalse(
            SecretsAtRest.found(SecretsAtRest.spellings(of: "fox@contoso.com"), besides: directory.databasePath).isEmpty,
            "the search finds what is stored in the clear (the user's UPN), so its silence about the seed means something")

        let key = try VirtualKeyProcess()
        let add = ["security-info", "add", "security-key", "--user", "fox@contoso.com", "--device", key.deviceID, "--json"]
        var result = try directory.keybridge(add + office, environment: ["KEYBRIDGE_NEW_PIN": "135790"])
        XCTAssertEqual(result.status, 12, "an MFA method exists, so MFA is demanded")
        XCTAssertEqual(errorCode(result), "mfaRequired")
        result = try directory.keybridge(add + office + ["--otp-code", "000000"], environment: ["KEYBRIDGE_NEW_PIN": "135790"])
        XCTAssertEqual(result.status, 12)
        XCTAssertEqual(errorCode(result), "mfaProofRejected")
        await XCTAssertEqualAsync(try await directory.methods("fox@contoso.com").count, 1, "nothing added")
        XCTAssertEqual(try clientPIN(key.deviceID), false, "no PIN was set")

        // The app's next code (the current one was used to register it, and codes work once).
        result = try directory.keybridge(
            add + office + ["--otp-code", try oathtool(secret, offset: 30)], environment: ["KEYBRIDGE_NEW_PIN": "135790"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        await XCTAssertEqualAsync(try await directory.methods("fox@contoso.com").map(\.kind), [.otherAuthenticatorApp, .fido2SecurityKey])

        // Delete the app, proving MFA with the new key.
        result = try directory.keybridge(
            ["security-info", "delete", "--user", "fox@contoso.com", "--method", try XCTUnwrap(app["id"] as? String),
             "--mfa-device", key.deviceID, "--json"] + office)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        await XCTAssertEqualAsync(try await directory.methods("fox@contoso.com").map(\.kind), [.fido2SecurityKey])
        // Only the four default-capable kinds can be default: a security key cannot.
        result = try await directory.keybridge(
            ["security-info", "default", "--user", "fox@contoso.com", "--method", try directory.methods("fox@contoso.com")[0].id,
             "--mfa-device", key.deviceID, "--json"] + office)
        XCTAssertEqual(result.status, 13)
        XCTAssertEqual(errorCode(result), "notDefaultCapable")
    }

    func testAdminPoliciesReadAndWriteAsYAMLAndBadDocumentsChangeNothing() async throws {
        let directory = try DirectoryFixture()
        let shown = try directory.admin(["policy", "show", "--tenant", "contoso", "--format", "yaml"])
        XCTAssertTrue(shown.stdout.contains("requireMFA: true"), shown.stdout)
        let file = directory.folder.appendingPathComponent("policy.yaml").path
        try shown.stdout.replacingOccurrences(of: "requireMFA: true", with: "requireMFA: false").write(toFile: file, atomically: true, encoding: .utf8)
        try directory.admin(["policy", "set", "--tenant", "contoso", "--file", file])
        await XCTAssertFalseAsync(try await SQLiteRegistrationStore(path: directory.databasePath).configuration(tenant: "contoso")!.access.requireMFA)

        try shown.stdout.replacingOccurrences(of: "reconfirmDays: 180", with: "reconfirmDays: 9999").write(toFile: file, atomically: true, encoding: .utf8)
        let bad = try directory.keybridge(["admin", "policy", "set", "--tenant", "contoso", "--file", file, "--json"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(errorCode(bad), "invalidPolicy")
        XCTAssertTrue(bad.stdout.contains("sspr.reconfirmDays"), "the member is named: \(bad.stdout)")
        await XCTAssertFalseAsync(try await SQLiteRegistrationStore(path: directory.databasePath).configuration(tenant: "contoso")!.access.requireMFA,
                       "a bad document changes nothing")

        // Users and groups (policies target groups).
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        try directory.admin(["group", "add-member", "--group", "sspr-users", "--upn", "dana@contoso.com"])
        try directory.admin(["user", "set", "--upn", "dana@contoso.com", "--business-phone", "+1 212 555 0100", "--mfa-enforcement", "perUserMFA"])
        let shownUser = try json(try directory.admin(["user", "show", "--upn", "dana@contoso.com", "--json"]))
        XCTAssertEqual(shownUser["groups"] as? [String], ["sspr-users"])
        XCTAssertEqual(shownUser["businessPhone"] as? String, "+1 212 555 0100")
        XCTAssertEqual(shownUser["mfaEnforcement"] as? String, "perUserMFA")
        try directory.admin(["group", "remove-member", "--group", "sspr-users", "--upn", "dana@contoso.com"])
        await XCTAssertEqualAsync(try await SQLiteRegistrationStore(path: directory.databasePath).user(upn: "dana@contoso.com")?.groups, [])
        let unknown = try directory.keybridge(["admin", "group", "add-member", "--group", "x", "--upn", "nobody@contoso.com", "--json"])
        XCTAssertEqual(unknown.status, 11)
        XCTAssertEqual(errorCode(unknown), "userNotFound")

        // Hardware tokens: a bad row is reported with its line, and nothing is imported (one transaction).
        let csv = directory.folder.appendingPathComponent("tokens.csv").path
        try """
            upn,serial number,secret key,time interval,manufacturer,model
            dana@contoso.com,TK-1,JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP,30,Contoso,OTP c200
            nobody@contoso.com,TK-2,JBSWY3DPEHPK3PXP,30,Contoso,OTP c200
            """.write(toFile: csv, atomically: true, encoding: .utf8)
        let imported = try directory.keybridge(["admin", "tokens", "import", "--tenant", "contoso", "--file", csv, "--json"])
        XCTAssertEqual(imported.status, 2, "a rejected row is a failure exit")
        let report = try json(imported)
        XCTAssertEqual(report["imported"] as? [String], [])
        XCTAssertEqual((report["errors"] as? [[String: Any]])?.first?["line"] as? Int, 3)
        let listed = try directory.keybridge(["admin", "tokens", "list", "--tenant", "contoso", "--json"])
        XCTAssertEqual((try JSONSerialization.jsonObject(with: listed.stdoutData) as? [Any])?.count, 0, "nothing imported: \(listed.stdout)")

        let audit = try directory.keybridge(["admin", "audit", "--tenant", "contoso", "--action", "policyChange", "--json"])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: audit.stdoutData) as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["outcome"] as? String }, ["success"], "only the good document reached the directory")
        XCTAssertEqual(rows.first?["upn"] as? String, "it@contoso.com")
    }

    func testReviewSaysWhatSignInWouldAskTheSeedsExample() async throws {
        let directory = try DirectoryFixture(policy: """
            {"relyingParty": {"id": "contoso.com"}, "origin": "https://login.contoso.com",
             "authenticationMethods": {"enabled": {"authenticatorApp": {}, "email": {}, "phone": {}, "fido2SecurityKey": {}}},
             "sspr": {"scope": "all", "methodsRequired": 2, "allowedMethods": ["authenticatorApp", "email", "phone"]}}
            """)
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        let result = try directory.keybridge(["security-info", "review", "--user", "dana@contoso.com", "--json"] + office)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let decision = try json(result)
        XCTAssertEqual(decision["action"] as? String, "registerSkippable", "only SSPR asks, so it may be skipped")
        XCTAssertEqual(decision["shownMethods"] as? [String], ["authenticatorApp", "phone"])
        XCTAssertEqual(decision["alternatives"] as? [String], ["email"])
        let confirm = try directory.keybridge(["security-info", "review", "--user", "dana@contoso.com", "--confirm", "--json"] + office)
        XCTAssertEqual(confirm.status, 2, "no review is due")
        await XCTAssertEqualAsync(try await directory.audit().filter { $0.action == "interrupt" }.map(\.mode), [.interrupt, .interrupt])
    }

    func testAddingAKeyWaitsForOneToBeInsertedUntilTheTimeout() async throws {
        let directory = try DirectoryFixture(policy: """
            {"relyingParty": {"id": "contoso.com"}, "origin": "https://login.contoso.com",
             "authenticationMethods": {"enabled": {"fido2SecurityKey": {}}}}
            """)
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        let keys = try TestPaths.temporaryDirectory()
        let environment = ["KEYBRIDGE_VKEY_DIR": keys.path, "KEYBRIDGE_NEW_PIN": "246810"]
        let add = ["security-info", "add", "security-key", "--user", "dana@contoso.com", "--json"]

        let nobody = try directory.keybridge(
            add + ["--timeout", "1"], environment: environment.merging(["KEYBRIDGE_TAP": try directory.issuePass("dana@contoso.com")]) { $1 })
        XCTAssertEqual(nobody.status, 3, nobody.stdout + nobody.stderr)
        XCTAssertEqual(errorCode(nobody), "deviceNotFound")
        XCTAssertTrue(nobody.stderr.contains("Insert the security key"), "the user is asked for the key")
        await XCTAssertTrueAsync(try await directory.methods("dana@contoso.com").isEmpty)

        // The command waits, asking for the key; the key arrives after the prompt.
        let fullEnvironment = directory.environment.merging(environment) { $1 }
            .merging(["KEYBRIDGE_TAP": try directory.issuePass("dana@contoso.com")]) { $1 }
        let waiting = try InteractiveProcess(TestPaths.keybridge, add + ["--timeout", "20"], environment: fullEnvironment)
        _ = try waiting.waitForStderr(matching: /Insert the security key/, timeout: .seconds(20))
        let key = try VirtualKeyProcess(directory: keys)
        let waited = waiting.finish(timeout: .seconds(30))
        XCTAssertEqual(waited.status, 0, waited.stdout + waited.stderr)
        await XCTAssertEqualAsync(try await directory.methods("dana@contoso.com").map(\.kind), [.fido2SecurityKey])
        key.stop()
    }

    func testPhonesByTheCodeInTheOutboxQuestionsHashedAndAppPasswordsForPerUserMFAOnly() async throws {
        let directory = try DirectoryFixture(policy: """
            {"relyingParty": {"id": "contoso.com"}, "origin": "https://login.contoso.com",
             "authenticationMethods": {"enabled": {"phone": {}, "securityQuestions": {}, "appPassword": {}}}}
            """)
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        try directory.admin(["user", "add", "--upn", "walter@contoso.com", "--display-name", "Walter Skinner", "--home-tenant", "contoso",
                             "--mfa-enforcement", "perUserMFA"])

        // A phone: the code goes to the outbox beside the directory, and is typed back.
        let output = directory.folder.appendingPathComponent("phone.json").path
        let terminal = try TmuxSession(
            ["/bin/sh", "-c", "\(TmuxSession.quote(TestPaths.keybridge)) security-info add contact --kind phone --value '+1 212 555 0100' --user dana@contoso.com --json > \(output)"],
            environment: directory.environment.merging(["KEYBRIDGE_TAP": try directory.issuePass("dana@contoso.com")]) { $1 })
        try terminal.waitFor("Enter the code we sent to +1 212 555 0100.")
        let outbox = try String(contentsOfFile: directory.folder.appendingPathComponent("outbox.jsonl").path, encoding: .utf8)
        let message = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(outbox.utf8)) as? [String: Any])
        XCTAssertEqual(message["to"] as? String, "+1 212 555 0100")
        XCTAssertEqual(message["channel"] as? String, "sms")
        let code = try XCTUnwrap((message["message"] as? String)?.firstMatch(of: /\d{6}/).map { String($0.output) })
        try terminal.type(code)
        try terminal.waitFor("[exited 0]")
        await XCTAssertEqualAsync(try await directory.methods("dana@contoso.com").map(\.kind), [.phone])

        // Security questions: three answers, stored only as hashes. (A phone serves MFA now: a pass.)
        let answers = directory.folder.appendingPathComponent("answers.json").path
        try #"[{"question": "First pet?", "answer": "Queequeg"}, {"question": "First car?", "answer": "Ford Taurus"}, {"question": "Birth town?", "answer": "Annapolis"}]"#
            .write(toFile: answers, atomically: true, encoding: .utf8)
        var result = try directory.keybridge(
            ["security-info", "add", "security-questions", "--user", "dana@contoso.com", "--answers-file", answers, "--json"],
            environment: ["KEYBRIDGE_TAP": try directory.issuePass("dana@contoso.com")])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        for answer in ["Queequeg", "Ford Taurus", "Annapolis"] {
            SecretsAtRest.assertAbsent(SecretsAtRest.spellings(of: answer), besides: directory.databasePath, "the answer \(answer)")
        }

        // App passwords: only for users enforced through per-user MFA.
        result = try directory.keybridge(
            ["security-info", "add", "app-password", "--user", "dana@contoso.com", "--name", "mail", "--json"],
            environment: ["KEYBRIDGE_TAP": try directory.issuePass("dana@contoso.com")])
        XCTAssertEqual(result.status, 13)
        XCTAssertEqual(errorCode(result), "methodDisabled")
        result = try directory.keybridge(
            ["security-info", "add", "app-password", "--user", "walter@contoso.com", "--name", "mail", "--json"],
            environment: ["KEYBRIDGE_TAP": try directory.issuePass("walter@contoso.com")])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let password = try XCTUnwrap(try json(result)["password"] as? String)
        XCTAssertEqual(password.count, 16)
        SecretsAtRest.assertAbsent(SecretsAtRest.spellings(of: password), besides: directory.databasePath, "the app password")
    }

    /// The key's clientPin option as `keybridge info` reports it (false: no PIN set).
    private func clientPIN(_ deviceID: String) throws -> Bool? {
        let info = try ProcessRunner.run(TestPaths.keybridge, ["info", "--json", "--device", deviceID])
        let object = try JSONSerialization.jsonObject(with: info.stdoutData) as? [String: Any]
        return ((object?["info"] as? [String: Any])?["options"] as? [String: Any])?["clientPin"] as? Bool
    }

    /// The TOTP code of `secret` (Base32) now, or `offset` seconds from now, from Debian's oathtool.
    private func oathtool(_ secret: String, offset: Int = 0) throws -> String { try Oathtool.totp(secret, offset: offset) }
}
