import Foundation
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// The security-info pages in Debian's Chromium, driven by selenium with Chromium's virtual
/// authenticator (`scripts/peers/web_pages.py`): sign-in by pass (keyboard only) and by key, adding
/// a key through `navigator.credentials.create`, changing the default, deleting, CSRF and headers,
/// German, 320 px, and axe-core on every page. Screenshots go to `test-artifacts/web/`.
final class WebPagesTests: XCTestCase {
    func testASignedInUserManagesSecurityInfoInChromium() async throws {
        let port = try ServerProcess.freeLoopbackPort()
        let origin = "http://localhost:\(port)"
        let policy = """
            {"relyingParty": {"id": "localhost", "name": "Contoso"}, "origin": "\(origin)",
             "authenticationMethods": {
               "enabled": {"fido2SecurityKey": {}, "phone": {}, "email": {}, "authenticatorApp": {}, "appPassword": {}, "securityQuestions": {}},
               "temporaryAccessPass": {"lifetimeMinutes": 60, "oneTime": false}},
             "sspr": {"scope": "group", "group": "new-hires", "methodsRequired": 2, "allowedMethods": ["authenticatorApp", "email", "phone"]},
             "registrationAccess": {"allowedNetworks": ["127.0.0.0/8"]}}
            """
        let directory = try DirectoryFixture(policy: policy)
        try directory.admin([
            "user", "add", "--upn", "alice@contoso.com", "--display-name", "Alice", "--home-tenant", "contoso", "--mfa-enforcement", "perUserMFA",
        ])
        _ = try await directory.withStore { store in
            try await store.addMethod(MethodDraft(kind: .phone, displayValue: "+1 555 0100"), upn: "alice@contoso.com", tenant: "contoso")
        }
        let pass = try directory.issuePass("alice@contoso.com")
        // The seed's example: a new hire whose MFA registration is enforced, SSPR needs two methods.
        try directory.admin([
            "user", "add", "--upn", "nina@contoso.com", "--display-name", "Nina", "--home-tenant", "contoso", "--group", "new-hires",
            "--mfa-enforcement", "identityProtection",
        ])
        let ninasPass = try directory.issuePass("nina@contoso.com")
        // Rita has what SSPR asks for but never confirmed it: a review is due at sign-in.
        try directory.admin(["user", "add", "--upn", "rita@contoso.com", "--display-name", "Rita", "--home-tenant", "contoso", "--group", "new-hires"])
        _ = try await directory.withStore { store in
            _ = try await store.addMethod(MethodDraft(kind: .phone, displayValue: "+1 555 0177"), upn: "rita@contoso.com", tenant: "contoso")
            return try await store.addMethod(MethodDraft(kind: .email, displayValue: "rita@example.org"), upn: "rita@contoso.com", tenant: "contoso")
        }
        let ritasPass = try directory.issuePass("rita@contoso.com")
        // A tenant that blocks the model of Chromium's virtual authenticators.
        let blocking = policy.replacingOccurrences(
                of: #""temporaryAccessPass": {"lifetimeMinutes": 60, "oneTime": false}}"#,
                with: #""temporaryAccessPass": {"lifetimeMinutes": 60, "oneTime": false}, "fido2": {"keyRestriction": {"mode": "block", "aaguids": ["01020304-0506-0708-0102-030405060708"]}}}"#)
        XCTAssertTrue(blocking.contains("keyRestriction"))
        let blockingFile = directory.folder.appendingPathComponent("fabrikam.json").path
        try blocking.write(toFile: blockingFile, atomically: true, encoding: .utf8)
        try directory.admin(["tenant", "add", "--id", "fabrikam", "--name", "Fabrikam", "--policy-file", blockingFile])
        try directory.admin(["user", "add", "--upn", "bert@fabrikam.com", "--display-name", "Bert", "--home-tenant", "fabrikam"])
        let bertsPass = try directory.issuePass("bert@fabrikam.com")
        try directory.admin(["user", "set", "--upn", "alice@contoso.com", "--guest-tenant", "fabrikam"])
        let alicesGuestPass = try XCTUnwrap(
            try JSONSerialization.jsonObject(
                with: directory.admin(["tap", "issue", "--user", "alice@contoso.com", "--tenant", "fabrikam", "--json"]).stdoutData)
                as? [String: Any])["pass"] as? String
        let outbox = directory.folder.appendingPathComponent("outbox.jsonl").path
        let server = try ServerProcess(
            directory: directory.directory, extraArguments: ["--listen", "127.0.0.1:\(port)", "--outbox", outbox],
            environment: directory.environment)
        let screenshots = TestPaths.packageRoot.appendingPathComponent("test-artifacts/web").path

        let script = TestPaths.packageRoot.appendingPathComponent("scripts/peers/web_pages.py").path
        let config = directory.folder.appendingPathComponent("web.json")
        let settings: [String: String] = [
            "base": origin, "upn": "alice@contoso.com", "pass": pass, "shots": screenshots, "newHire": "nina@contoso.com",
            "newHirePass": ninasPass, "outbox": outbox, "blockedUser": "bert@fabrikam.com", "blockedPass": bertsPass,
            "reviewUser": "rita@contoso.com", "reviewPass": ritasPass, "guestTenant": "fabrikam", "guestTenantName": "Fabrikam", "guestPass": try XCTUnwrap(alicesGuestPass),
        ]
        try JSONSerialization.data(withJSONObject: settings).write(to: config)
        let result = try ProcessRunner.run(TestPaths.peerPython, [script, config.path], timeout: 240)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let reply = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any], result.stdout + result.stderr)
        let checks = try XCTUnwrap(reply["checks"] as? [[String: Any]])
        // Page weight and time to first byte, for the notes (a measurement, not a timed test).
        if let pages = reply["pages"], let data = try? JSONSerialization.data(withJSONObject: pages, options: [.sortedKeys]) {
            print("keybridge pages (bytes, ms):", String(decoding: data, as: UTF8.self))
        }
        XCTAssertGreaterThan(checks.count, 50, "the walk-through ran its steps")
        for check in checks {
            XCTAssertEqual(check["ok"] as? Bool, true, "\(check["name"] ?? ""): \(check["detail"] ?? "")")
        }
        let names = Set(checks.compactMap { $0["name"] as? String })
        for step in [
            "py_webauthn verifies the registration the page sent", "py_webauthn verifies the key's sign-in with the registered public key",
            "zbarimg reads an otpauth URI from the page's QR code", "done: the app and the phone are registered",
            "a blocked key model is refused with the policy's message", "signed in to the other directory",
            "the phone shows the new number", "security questions are listed", "confirming leads to security info with thanks",
        ] {
            XCTAssertTrue(names.contains(step), "the walk-through reached: \(step)")
        }
        let ranToEnd = !checks.contains { ($0["name"] as? String) == "the walk-through ran to the end" }
        XCTAssertTrue(ranToEnd, server.log.suffix(3000).description)

        // What the page did is in the directory: alice registered the key herself in manage mode,
        // from the browser's address with its user agent, then made the phone default and deleted the key.
        let audit = try await directory.audit().filter { $0.upn == "alice@contoso.com" }
        let registered = try XCTUnwrap(audit.last { $0.action == "register" && $0.outcome == .success && $0.reason == "fido2SecurityKey" })
        XCTAssertEqual(registered.actor, .user)
        XCTAssertEqual(registered.mode, .manage)
        XCTAssertTrue(registered.client.hasPrefix("127.0.0.1; ") && registered.client.contains("Chrome"), registered.client)
        XCTAssertEqual(audit.filter { $0.action == "defaultChange" && $0.outcome == .success }.count, 1)
        XCTAssertEqual(audit.filter { $0.action == "delete" && $0.outcome == .success }.count, 1)
        XCTAssertEqual(audit.filter { $0.action == "signIn" && $0.outcome == .success }.map(\.reason), ["temporaryAccessPass", "fido2"])
        XCTAssertEqual(audit.filter { $0.action == "signIn" && $0.outcome == .failure }.count, 1, "the wrong pass")
        let methods = try await directory.methods("alice@contoso.com")
        XCTAssertEqual(methods.map(\.kind).sorted { $0.rawValue < $1.rawValue }, [.appPassword, .email, .phone, .securityQuestions])
        XCTAssertEqual(methods.first { $0.kind == .phone }?.isDefault, true)
        XCTAssertEqual(methods.first { $0.kind == .phone }?.displayValue, "+1 555 0142", "changed after the code to the new number")
        XCTAssertEqual(audit.filter { $0.action == "change" && $0.outcome == .success }.map(\.mode), [.manage])
        XCTAssertNotNil(reply["credentialId"] as? String)

        // Nina registered in interrupt mode: the app (its secret sealed) and the phone, then nothing more is asked.
        let ninas = try await directory.audit().filter { $0.upn == "nina@contoso.com" }
        XCTAssertEqual(ninas.filter { $0.action == "register" && $0.outcome == .success }.map(\.mode), [.interrupt, .interrupt])
        XCTAssertEqual(ninas.filter { $0.action == "register" && $0.outcome == .failure }.count, 1, "the wrong app code")
        XCTAssertEqual(ninas.filter { $0.action == "interrupt" }.map(\.reason), ["register"], "audited once, at sign-in")
        let ninasMethods = try await directory.methods("nina@contoso.com").map(\.kind).sorted { $0.rawValue < $1.rawValue }
        XCTAssertEqual(ninasMethods, [.authenticatorApp, .phone])

        let ritas = try await directory.audit().filter { $0.upn == "rita@contoso.com" && $0.action == "review" }
        XCTAssertEqual(ritas.map(\.outcome), [.success])
        XCTAssertEqual(ritas.map(\.mode), [.interrupt])

        // Bert's key was refused by his tenant's block list, and nothing stored.
        let berts = try await directory.withStore { try await $0.auditEvents(tenant: "fabrikam") }.filter { $0.action == "register" }
        XCTAssertEqual(berts.map(\.reason), ["aaguidBlocked"])
        let bertsKeys = try await directory.withStore { try await $0.methods(upn: "bert@fabrikam.com", tenant: "fabrikam") }
        XCTAssertTrue(bertsKeys.isEmpty)

        // The session the browser holds is the directory's: ended elsewhere, the page sends the user to sign in.
        let session = try XCTUnwrap(reply["session"] as? String)
        let signOut = try await server.request("POST", "/auth/signOut", token: session)
        XCTAssertEqual(signOut.status, 204)
        let page = try server.page("/security-info", session: session)
        XCTAssertEqual(page.status, 303)
        XCTAssertEqual(page.location, "/signin?done=sessionEnded")

        // The access rule is checked on every request: a session opened from an allowed network
        // opens nothing once the policy no longer allows that network.
        let opened = try await server.request(
            "POST", "/auth/signIn", json: ["userPrincipalName": "alice@contoso.com", "temporaryAccessPass": pass])
        let live = try XCTUnwrap(opened.body["sessionToken"] as? String, opened.text)
        let before = try server.page("/security-info", session: live)
        XCTAssertEqual(before.status, 200)
        XCTAssertTrue(before.text.contains("<h1>Security info</h1>"), before.text)
        let narrowed = directory.folder.appendingPathComponent("narrowed.json").path
        try policy.replacingOccurrences(of: "127.0.0.0/8", with: "10.0.0.0/8").write(toFile: narrowed, atomically: true, encoding: .utf8)
        try directory.admin(["policy", "set", "--tenant", "contoso", "--file", narrowed])
        let blocked = try server.page("/security-info", session: live)
        XCTAssertEqual(blocked.status, 403)
        XCTAssertTrue(blocked.text.contains("Security info can only be changed from the office network or a trusted kiosk."), blocked.text)
        XCTAssertTrue(blocked.text.contains("role=\"alert\""), "the refusal is announced")
    }
}
