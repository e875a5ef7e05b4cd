import Foundation
import KeyBridgeFIDO
import KeyBridgeOATH
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// `keybridge security-info` as a client of `keybridge serve`: the same scenarios run against a
/// local SQLite directory and through a server on one, with a virtual key on this machine. What
/// the user sees — JSON, error codes, exit statuses — and what is left on the key must not depend
/// on where the directory is.
final class SecurityInfoServerTests: XCTestCase {
    enum Mode: String, CaseIterable { case local, server }

    /// Security keys (discoverable, so a rollback has something to delete on the key); security
    /// info from loopback only. `extra` goes into the fido2 settings.
    static func policy(fido2 extra: String = "") -> String {
        """
        {"relyingParty": {"id": "contoso.com", "name": "Contoso"}, "origin": "https://login.contoso.com",
         "authenticationMethods": {"enabled": {"fido2SecurityKey": {}}, "fido2": {"requireResidentKey": true\(extra)}},
         "registrationAccess": {"allowedNetworks": ["127.0.0.0/8"]}}
        """
    }

    static let virtualKeyAAGUID = "f1d0f1d0-6b65-7962-7269-646765000001"
    static let user = "dana@contoso.com"
    static let pin = "246810"

    /// A directory with dana and, in server mode, a `keybridge serve` on it and a token file.
    final class Setup {
        let mode: Mode
        let directory: DirectoryFixture
        private(set) var server: ServerProcess?
        private(set) var token = ""
        private(set) var tokenFile = ""

        init(_ mode: Mode, policy: String) throws {
            self.mode = mode
            directory = try DirectoryFixture(policy: policy)
            try directory.addUser(SecurityInfoServerTests.user, name: "Dana Scully")
            guard mode == .server else { return }
            let issued = try directory.admin(["token", "issue", "--name", "workstation", "--scope", "manage", "read", "--tenant", "contoso", "--json"])
            token = try XCTUnwrap((try JSONSerialization.jsonObject(with: issued.stdoutData) as? [String: Any])?["token"] as? String)
            tokenFile = directory.folder.appendingPathComponent("token").path
            try (token + "\nsecond line is ignored\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
            server = try ServerProcess(directory: directory.databasePath)
        }

        /// The options choosing this mode's directory, and this machine as the access rule sees it.
        var target: [String] {
            switch mode {
            case .local: ["--directory", directory.databasePath, "--client-address", "127.0.0.1", "--client-device", "ws-17"]
            case .server: ["--server", server?.baseURL ?? "", "--token-file", tokenFile]
            }
        }

        /// What a first registration needs: locally, a fresh Temporary Access Pass for the user
        /// (the gate's default when they have no method yet); through a server, nothing (the
        /// workstation's `manage` token stands for an admin).
        func firstRegistration() throws -> [String: String] {
            mode == .local ? ["KEYBRIDGE_TAP": try directory.issuePass(SecurityInfoServerTests.user)] : [:]
        }

        /// Runs `keybridge security-info …` against this mode's directory. `KEYBRIDGE_DIRECTORY`
        /// stays set in both modes: the --server flag must win over it.
        func securityInfo(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
            let result = try directory.keybridge(["security-info"] + arguments + target, environment: environment)
            if mode == .server {
                XCTAssertFalse(result.stdout.contains(token) || result.stderr.contains(token), "the token is never printed")
            }
            return result
        }
    }

    /// Runs `body` once against a local directory and once through a server on one.
    private func inBothModes(policy: String, _ body: (Setup) async throws -> Void) async throws {
        for mode in Mode.allCases { try await body(try Setup(mode, policy: policy)) }
    }

    private func json(_ result: ProcessResult, _ mode: Mode) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any], "[\(mode)] \(result.stdout) \(result.stderr)")
    }

    private func error(_ result: ProcessResult) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])?["error"] as? [String: Any]) ?? [:]
    }

    // MARK: Scenarios

    func testAnAppAndAnEMailAddressAreProvenAndAddedInEitherDirectory() async throws {
        let policy = """
            {"relyingParty": {"id": "contoso.com", "name": "Contoso"}, "origin": "https://login.contoso.com",
             "authenticationMethods": {"enabled": {"otherAuthenticatorApp": {}, "email": {}}},
             "registrationAccess": {"allowedNetworks": ["127.0.0.0/8"]}}
            """
        var wrongCodes: [String?] = []
        try await inBothModes(policy: policy) { setup in
            let mode = setup.mode
            let environment = setup.directory.environment.merging(["KEYBRIDGE_TAP": try setup.directory.issuePass(Self.user)]) { $1 }
            // The app: the otpauth URI on the terminal, its code (from Debian's oathtool) typed back.
            let appOutput = setup.directory.folder.appendingPathComponent("app-\(mode).json").path
            var terminal = try TmuxSession(
                ["/bin/sh", "-c", (([TestPaths.keybridge, "security-info", "add", "authenticator-app", "--user", Self.user, "--name", "Phone", "--json"]
                    + setup.target).map(TmuxSession.quote).joined(separator: " ")) + " > " + TmuxSession.quote(appOutput)],
                environment: environment)
            let screen = try terminal.waitFor("Current code from the app:")
            let uri = try XCTUnwrap(screen.firstMatch(of: /otpauth:\/\/\S+/).map { String($0.output) }, "[\(mode)] \(screen)")
            let secret = try XCTUnwrap(URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value)
            try terminal.type(try Self.oathtool(secret))
            try terminal.waitFor("[exited 0]")
            let app = try XCTUnwrap(
                (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: appOutput))) as? [String: Any])?["method"] as? [String: Any])
            XCTAssertEqual(app["kind"] as? String, "otherAuthenticatorApp", "[\(mode)]")

            // The e-mail address: the code goes to the directory's outbox (the server's own delivery
            // writes the same file beside the directory); a wrong code first, then the right one.
            // The app serves MFA now: locally a fresh pass (the first one is used up).
            let mailEnvironment = setup.directory.environment.merging(["KEYBRIDGE_TAP": try setup.directory.issuePass(Self.user)]) { $1 }
            let outbox = setup.directory.folder.appendingPathComponent("outbox.jsonl").path
            let sentBefore = ((try? String(contentsOfFile: outbox, encoding: .utf8)) ?? "").split(separator: "\n").count
            let wrong = try setup.directory.keybridge(
                ["security-info", "add", "contact", "--kind", "email", "--value", "dana@example.org", "--user", Self.user, "--json"] + setup.target,
                environment: mailEnvironment.merging(["KEYBRIDGE_TAP": try setup.directory.issuePass(Self.user)]) { $1 }, input: Data("000000\n".utf8))
            XCTAssertNotEqual(wrong.status, 0, "[\(mode)] a wrong code adds nothing: \(wrong.stdout)")
            let wrongCode = error(wrong)["code"] as? String
            let mailOutput = setup.directory.folder.appendingPathComponent("mail-\(mode).json").path
            terminal = try TmuxSession(
                ["/bin/sh", "-c", (([TestPaths.keybridge, "security-info", "add", "contact", "--kind", "email", "--value", "dana@example.org",
                                     "--user", Self.user, "--json"] + setup.target).map(TmuxSession.quote).joined(separator: " "))
                    + " > " + TmuxSession.quote(mailOutput)],
                environment: mailEnvironment)
            try terminal.waitFor("Enter the code we sent to dana@example.org.")
            let messages = try String(contentsOfFile: outbox, encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(messages.count, sentBefore + 2, "[\(mode)] one message per attempt")
            let message = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(messages.last!.utf8)) as? [String: Any])
            XCTAssertEqual(message["to"] as? String, "dana@example.org")
            let code = try XCTUnwrap((message["message"] as? String)?.firstMatch(of: /\d{6}/).map { String($0.output) })
            try terminal.type(code)
            try terminal.waitFor("[exited 0]")
            await XCTAssertEqualAsync(
                try await setup.directory.methods(Self.user).map(\.kind).sorted { $0.rawValue < $1.rawValue }, [.email, .otherAuthenticatorApp],
                "[\(mode)]")
            wrongCodes.append(wrongCode)
        }
        XCTAssertEqual(wrongCodes.count, 2)
        XCTAssertNotNil(wrongCodes.first ?? nil, "a wrong code is a named refusal")
        XCTAssertEqual(wrongCodes.first, wrongCodes.last, "a wrong code is the same refusal in both modes")
    }

    func testATokenQuestionsAndAnAppPasswordAreAddedInEitherDirectory() async throws {
        let policy = """
            {"relyingParty": {"id": "contoso.com", "name": "Contoso"}, "origin": "https://login.contoso.com",
             "authenticationMethods": {"enabled": {"hardwareToken": {}, "securityQuestions": {}, "appPassword": {}}},
             "registrationAccess": {"allowedNetworks": ["127.0.0.0/8"]}}
            """
        try await inBothModes(policy: policy) { setup in
            let mode = setup.mode
            try setup.directory.admin(["user", "set", "--upn", Self.user, "--mfa-enforcement", "perUserMFA"])
            let csv = setup.directory.folder.appendingPathComponent("tokens.csv").path
            let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
            try "upn,serial number,secret key,time interval,manufacturer,model\n\(Self.user),TK-1,\(secret),30,Contoso,OTP c200\n"
                .write(toFile: csv, atomically: true, encoding: .utf8)
            try setup.directory.admin(["tokens", "import", "--tenant", "contoso", "--file", csv])
            func pass() throws -> [String: String] { ["KEYBRIDGE_TAP": try setup.directory.issuePass(Self.user)] }

            // The token, activated with the code it shows (typed on stdin); a wrong code first.
            var result = try setup.directory.keybridge(
                ["security-info", "add", "hardware-token", "--user", Self.user, "--serial", "TK-1", "--json"] + setup.target,
                environment: try pass(), input: Data("000000\n".utf8))
            XCTAssertNotEqual(result.status, 0, "[\(mode)] a wrong code activates nothing")
            let wrongCode = error(result)["code"] as? String
            result = try setup.directory.keybridge(
                ["security-info", "add", "hardware-token", "--user", Self.user, "--serial", "TK-1", "--json"] + setup.target,
                environment: try pass(), input: Data((try Self.oathtool(secret) + "\n").utf8))
            XCTAssertEqual(result.status, 0, "[\(mode)] \(result.stdout) \(result.stderr)")
            XCTAssertEqual((try json(result, mode)["method"] as? [String: Any])?["kind"] as? String, "hardwareToken")

            // Security questions from a file; the answers are stored only as hashes.
            let answers = setup.directory.folder.appendingPathComponent("answers.json").path
            try #"[{"question": "First pet?", "answer": "Queequeg"}, {"question": "First car?", "answer": "Ford Taurus"}, {"question": "Birth town?", "answer": "Annapolis"}]"#
                .write(toFile: answers, atomically: true, encoding: .utf8)
            result = try setup.securityInfo(["add", "security-questions", "--user", Self.user, "--answers-file", answers, "--json"], environment: try pass())
            XCTAssertEqual(result.status, 0, "[\(mode)] \(result.stdout) \(result.stderr)")
            for answer in ["Queequeg", "Ford Taurus", "Annapolis"] {
                SecretsAtRest.assertAbsent(SecretsAtRest.spellings(of: answer), besides: setup.directory.databasePath, "[\(mode)] the answer \(answer)")
            }

            // An app password, shown once and not stored as given.
            result = try setup.securityInfo(["add", "app-password", "--user", Self.user, "--name", "mail", "--json"], environment: try pass())
            XCTAssertEqual(result.status, 0, "[\(mode)] \(result.stdout) \(result.stderr)")
            let password = try XCTUnwrap(try json(result, mode)["password"] as? String, "[\(mode)]")
            SecretsAtRest.assertAbsent(SecretsAtRest.spellings(of: password), besides: setup.directory.databasePath, "[\(mode)] the app password")
            SecretsAtRest.assertAbsent(
                SecretsAtRest.spellings(of: Array(Base32.decode(secret) ?? [])), besides: setup.directory.databasePath, "[\(mode)] the token's seed")
            await XCTAssertEqualAsync(
                Set(try await setup.directory.methods(Self.user).map(\.kind)), [.hardwareToken, .securityQuestions, .appPassword], "[\(mode)]")
            XCTAssertEqual(wrongCode, "mfaProofRejected", "[\(mode)] the same refusal for a wrong code")
        }
    }

    func testReviewGivesTheSameDecisionInEitherDirectory() async throws {
        let policy = """
            {"relyingParty": {"id": "contoso.com", "name": "Contoso"}, "origin": "https://login.contoso.com",
             "authenticationMethods": {"enabled": {"authenticatorApp": {}, "email": {}, "phone": {}, "fido2SecurityKey": {}}},
             "sspr": {"scope": "all", "methodsRequired": 2, "allowedMethods": ["authenticatorApp", "email", "phone"]},
             "registrationAccess": {"allowedNetworks": ["127.0.0.0/8"]}}
            """
        var decisions: [[String: Any]] = []
        try await inBothModes(policy: policy) { setup in
            let result = try setup.securityInfo(["review", "--user", Self.user, "--json"])
            XCTAssertEqual(result.status, 0, "[\(setup.mode)] \(result.stdout) \(result.stderr)")
            decisions.append(try json(result, setup.mode))
            // No review is due: confirming one is refused the same way in both modes.
            let refused = try setup.securityInfo(["review", "--user", Self.user, "--confirm", "--json"])
            XCTAssertEqual(refused.status, 2, "[\(setup.mode)] \(refused.stdout) \(refused.stderr)")
            XCTAssertEqual(error(refused)["code"] as? String, "invalidInput", "[\(setup.mode)]")
            let audited = try await setup.directory.audit().filter { $0.action == "interrupt" }.map(\.reason)
            XCTAssertEqual(audited.first, "registerSkippable", "[\(setup.mode)] the decision is audited by the directory that made it")
        }
        // Only SSPR asks (it may be skipped); two methods shown, most secure first.
        XCTAssertEqual(decisions.first?["action"] as? String, "registerSkippable")
        XCTAssertEqual(decisions.first?["shownMethods"] as? [String], ["authenticatorApp", "phone"])
        XCTAssertEqual(decisions.first?["shownMethods"] as? [String], decisions.last?["shownMethods"] as? [String])
        XCTAssertEqual(decisions.first?["alternatives"] as? [String], decisions.last?["alternatives"] as? [String])
        XCTAssertEqual(decisions.first?["action"] as? String, decisions.last?["action"] as? String)
    }

    /// The TOTP code of `secret` (Base32) now, from Debian's oathtool.
    static func oathtool(_ secret: String) throws -> String { try Oathtool.totp(secret) }

    func testDefaultAndDeletingPhonesEMailAndAppsInEitherDirectory() async throws {
        try await inBothModes(policy: Self.policy()) { setup in
            let mode = setup.mode
            let methods = try await setup.directory.withStore { store in
                var added: [RegisteredMethod] = []
                for (kind, value) in [(MethodDraft.Kind.phone, "+1 555 0100"), (.email, "dana@example.org"), (.otherAuthenticatorApp, "Authenticator")] {
                    added.append(
                        try await store.addMethod(MethodDraft(kind: kind, displayValue: value), upn: Self.user, tenant: "contoso", sealedSecret: nil))
                }
                return added
            }
            // The app becomes the default; an e-mail address cannot be one (the same refusal both ways).
            var result = try setup.securityInfo(
                ["default", "--user", Self.user, "--method", methods[2].id, "--json"], environment: ["KEYBRIDGE_TAP": try setup.directory.issuePass(Self.user)])
            XCTAssertEqual(result.status, 0, "[\(mode)] \(result.stdout) \(result.stderr)")
            XCTAssertEqual(try json(result, mode)["default"] as? String, methods[2].id)
            await XCTAssertEqualAsync(try await setup.directory.methods(Self.user).filter(\.isDefault).map(\.id), [methods[2].id], "[\(mode)]")
            result = try setup.securityInfo(
                ["default", "--user", Self.user, "--method", methods[1].id, "--json"], environment: ["KEYBRIDGE_TAP": try setup.directory.issuePass(Self.user)])
            XCTAssertNotEqual(result.status, 0, "[\(mode)]")
            XCTAssertEqual(error(result)["code"] as? String, "notDefaultCapable", "[\(mode)] \(result.stdout)")
            await XCTAssertEqualAsync(try await setup.directory.methods(Self.user).filter(\.isDefault).map(\.id), [methods[2].id], "[\(mode)] unchanged")

            for method in methods {
                // Locally the user proves MFA with a pass (one each: passes are one-time); a server takes the token.
                let pass = try setup.directory.issuePass(Self.user)
                result = try setup.securityInfo(
                    ["delete", "--user", Self.user, "--method", method.id, "--json"], environment: ["KEYBRIDGE_TAP": pass])
                XCTAssertEqual(result.status, 0, "[\(mode)] \(method.kind): \(result.stdout) \(result.stderr)")
                XCTAssertEqual(try json(result, mode)["deleted"] as? String, method.id, "[\(mode)]")
            }
            await XCTAssertTrueAsync(try await setup.directory.methods(Self.user).isEmpty, "[\(mode)] all three are gone")
            let deletions = try await setup.directory.audit().filter { $0.action == "delete" && $0.outcome == .success }
            XCTAssertEqual(deletions.count, 3, "[\(mode)] each deletion audited")
        }
    }

    func testAKeyIsRegisteredListedAndDeletedTheSameWayLocallyAndThroughAServer() async throws {
        var added: [Mode: [String: Any]] = [:]
        try await inBothModes(policy: Self.policy()) { setup in
            let mode = setup.mode
            let key = try VirtualKeyProcess(options: ["--attestation", "packed"])
            var result = try setup.securityInfo(
                ["add", "security-key", "--user", Self.user, "--device", key.deviceID, "--name", "Blue key", "--json"],
                environment: try setup.firstRegistration().merging(["KEYBRIDGE_NEW_PIN": Self.pin]) { $1 })
            XCTAssertEqual(result.status, 0, "[\(mode)] \(result.stdout) \(result.stderr)")
            let reply = try json(result, mode)
            XCTAssertEqual(reply["pinSet"] as? Bool, true, "[\(mode)]")
            let method = try XCTUnwrap(reply["method"] as? [String: Any], "[\(mode)]")
            added[mode] = method
            let credentialID = try XCTUnwrap((reply["credential"] as? [String: Any])?["id"] as? String)
            XCTAssertEqual((method["securityKey"] as? [String: Any])?["credentialId"] as? String, credentialID, "[\(mode)]")

            // What the directory stored is the key's credential, and it is on the key.
            let stored = try await setup.directory.methods(Self.user)
            XCTAssertEqual(stored.compactMap(\.fido2).map { Base64URL.encode($0.credentialID) }, [credentialID], "[\(mode)]")
            XCTAssertEqual(try credentialsOnKey(key.deviceID), [credentialID], "[\(mode)]")
            let starts = try await setup.directory.audit().filter { $0.action == "start" && $0.outcome == .success }.compactMap(\.reason)
            XCTAssertEqual(starts.contains("on behalf: workstation"), mode == .server, "[\(mode)] through the server, as the token: \(starts)")

            // Listed, in the tenant the directory acted in.
            result = try setup.securityInfo(["list", "--user", Self.user, "--mfa-device", key.deviceID, "--json"])
            XCTAssertEqual(result.status, 0, "[\(mode)] \(result.stdout) \(result.stderr)")
            let listing = try json(result, mode)
            XCTAssertEqual(listing["tenant"] as? String, "contoso", "[\(mode)]")
            XCTAssertEqual(listing["user"] as? String, Self.user, "[\(mode)]")
            let listed = try XCTUnwrap(listing["methods"] as? [[String: Any]])
            XCTAssertEqual(listed.map { $0["id"] as? String }, [method["id"] as? String], "[\(mode)]")
            XCTAssertEqual(listed.first?["friendlyName"] as? String, "Blue key", "[\(mode)]")
            XCTAssertEqual((listed.first?["securityKey"] as? [String: Any])?["aaguid"] as? String, Self.virtualKeyAAGUID, "[\(mode)]")

            // Without a token, the user signs in to the server with the same key and lists their own.
            if mode == .server, let server = setup.server {
                let own = try setup.directory.keybridge(
                    ["security-info", "list", "--user", Self.user, "--server", server.baseURL, "--mfa-device", key.deviceID, "--json"],
                    environment: ["KEYBRIDGE_DIRECTORY": ""])
                XCTAssertEqual(own.status, 0, "\(own.stdout) \(own.stderr)")
                XCTAssertEqual((try json(own, mode)["methods"] as? [[String: Any]])?.count, 1)
                let signIn = try await setup.directory.audit().last { $0.action == "signIn" }
                XCTAssertEqual(signIn?.outcome, .success)
                XCTAssertEqual(signIn?.reason, "fido2", "signed in with the key's assertion")
            }

            // Deleted from the directory (the credential stays on the key, as locally).
            let id = try XCTUnwrap(method["id"] as? String)
            result = try setup.securityInfo(["delete", "--user", Self.user, "--method", id, "--mfa-device", key.deviceID, "--json"])
            XCTAssertEqual(result.status, 0, "[\(mode)] \(result.stdout) \(result.stderr)")
            XCTAssertEqual(try json(result, mode)["deleted"] as? String, id, "[\(mode)]")
            await XCTAssertTrueAsync(try await setup.directory.methods(Self.user).isEmpty, "[\(mode)]")

            // Deleting it again: no such method, in both modes (locally with a pass: no method is left).
            result = try setup.securityInfo(["delete", "--user", Self.user, "--method", id, "--json"], environment: try setup.firstRegistration())
            XCTAssertEqual(result.status, 11, "[\(mode)] \(result.stdout) \(result.stderr)")
            XCTAssertEqual(error(result)["code"] as? String, "methodNotFound", "[\(mode)]")
        }
        // The same JSON for the same key, whichever directory stored it.
        let local = try XCTUnwrap(added[.local])
        let remote = try XCTUnwrap(added[.server])
        XCTAssertEqual(Set(local.keys), Set(remote.keys))
        for field in ["kind", "name", "value", "friendlyName", "isDefault", "servesMFA", "servesSSPR"] {
            XCTAssertEqual("\(local[field] ?? "nil")", "\(remote[field] ?? "nil")", field)
        }
        let localKey = try XCTUnwrap(local["securityKey"] as? [String: Any])
        let remoteKey = try XCTUnwrap(remote["securityKey"] as? [String: Any])
        XCTAssertEqual(Set(localKey.keys), Set(remoteKey.keys))
        for field in ["aaguid", "attestation", "model", "signCount"] {
            XCTAssertEqual("\(localKey[field] ?? "nil")", "\(remoteKey[field] ?? "nil")", field)
        }
    }

    func testARefusedKeyIsDeletedFromTheKeyAndRefusedAlikeInBothModes() async throws {
        var outcomes: [Mode: (Int32, String?, String?)] = [:]
        let blocking = Self.policy(fido2: #", "keyRestriction": {"mode": "block", "aaguids": ["\#(Self.virtualKeyAAGUID)"]}"#)
        try await inBothModes(policy: blocking) { setup in
            let mode = setup.mode
            let key = try VirtualKeyProcess(options: ["--attestation", "packed"])
            let result = try setup.securityInfo(
                ["add", "security-key", "--user", Self.user, "--device", key.deviceID, "--json"], environment: try setup.firstRegistration().merging(["KEYBRIDGE_NEW_PIN": Self.pin]) { $1 })
            let body = error(result)
            outcomes[mode] = (result.status, body["code"] as? String, body["rollback"] as? String)
            XCTAssertEqual(result.status, 13, "[\(mode)] \(result.stdout) \(result.stderr)")
            XCTAssertEqual(body["code"] as? String, "aaguidBlocked", "[\(mode)]")
            XCTAssertEqual(body["rollback"] as? String, "credentialDeleted", "[\(mode)]")
            XCTAssertTrue((body["message"] as? String ?? "").contains("not allowed"), "[\(mode)] \(body)")
            await XCTAssertTrueAsync(try await setup.directory.methods(Self.user).isEmpty, "[\(mode)] nothing stored")
            XCTAssertEqual(try credentialsOnKey(key.deviceID), [], "[\(mode)] the credential was deleted from the key")
        }
        XCTAssertEqual(outcomes[.local].map { "\($0)" }, outcomes[.server].map { "\($0)" })
    }

    func testAServerThatIsDownIsNamedAndNothingHappensOnTheKey() async throws {
        let setup = try Setup(.server, policy: Self.policy())
        let server = try XCTUnwrap(setup.server)
        server.stop()
        let key = try VirtualKeyProcess()
        var result = try setup.securityInfo(
            ["add", "security-key", "--user", Self.user, "--device", key.deviceID, "--json"], environment: try setup.firstRegistration().merging(["KEYBRIDGE_NEW_PIN": Self.pin]) { $1 })
        XCTAssertEqual(result.status, 14, result.stdout + result.stderr)
        XCTAssertEqual(error(result)["code"] as? String, "serverUnreachable")
        XCTAssertTrue((error(result)["message"] as? String ?? "").contains(server.baseURL), "names the server: \(result.stdout)")
        XCTAssertEqual(error(result)["rollback"] as? String, "nothingCreated")
        XCTAssertEqual(try clientPIN(key.deviceID), false, "the key was not touched: no PIN set")

        result = try setup.securityInfo(["list", "--user", Self.user])
        XCTAssertEqual(result.status, 14)
        XCTAssertTrue(result.stderr.contains("The server \(server.baseURL) cannot be reached"), result.stderr)
    }

    func testAServerThatDiesBeforeTheKeysAnswerArrivesLeavesNothingOnTheKey() async throws {
        let setup = try Setup(.server, policy: Self.policy())
        let server = try XCTUnwrap(setup.server)
        let key = try VirtualKeyProcess(options: ["--presence", "wait"])
        let folder = setup.directory.folder
        let stdoutPath = folder.appendingPathComponent("add.out").path
        let stderrPath = folder.appendingPathComponent("add.err").path
        for path in [stdoutPath, stderrPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.keybridge)
        process.arguments = ["security-info", "add", "security-key", "--user", Self.user, "--device", key.deviceID, "--json"] + setup.target
        process.environment = ProcessInfo.processInfo.environment.merging(["KEYBRIDGE_NEW_PIN": Self.pin]) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The options came from the server, the PIN is set, the key waits for a touch: now the server dies.
        let deadline = Date().addingTimeInterval(30)
        while !((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "").contains("Touch your security key"), Date() < deadline {
            usleep(100_000)
        }
        XCTAssertTrue(((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "").contains("Touch your security key"), "the touch prompt")
        server.kill()
        while process.isRunning, Date() < deadline {
            _ = try? key.control(["cmd": "touch"])
            usleep(200_000)
        }
        process.waitUntilExit()
        let output = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
        XCTAssertEqual(process.terminationStatus, 14, output)
        let body = ((try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])?["error"] as? [String: Any]) ?? [:]
        XCTAssertEqual(body["code"] as? String, "serverUnreachable", output)
        XCTAssertEqual(body["rollback"] as? String, "credentialDeleted", output)
        XCTAssertTrue((body["message"] as? String ?? "").contains(server.baseURL), output)
        XCTAssertEqual(try credentialsOnKey(key.deviceID), [], "the credential was deleted from the key again")
        await XCTAssertTrueAsync(try await setup.directory.methods(Self.user).isEmpty)
    }

    func testWithoutATokenTheUserSignsInToTheServerWithTheirOwnPass() async throws {
        let setup = try Setup(.server, policy: Self.policy())
        let server = try XCTUnwrap(setup.server)
        let passFile = setup.directory.folder.appendingPathComponent("pass").path
        try setup.directory.issuePass(Self.user).write(toFile: passFile, atomically: true, encoding: .utf8)
        let mine = ["security-info", "list", "--user", Self.user, "--server", server.baseURL, "--json"]
        var result = try setup.directory.keybridge(mine + ["--tap-file", passFile], environment: ["KEYBRIDGE_DIRECTORY": ""])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertNotNil(try json(result, .server)["methods"] as? [Any], result.stdout)
        let signIn = try await setup.directory.audit().last { $0.action == "signIn" }
        XCTAssertEqual(signIn?.outcome, .success)
        XCTAssertEqual(signIn?.actor, .user, "the user's own sign-in, not an admin's token")

        // The tenant's passes are one-time: the same pass again is the server's refusal, by its name.
        result = try setup.directory.keybridge(mine + ["--tap-file", passFile], environment: ["KEYBRIDGE_DIRECTORY": ""])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(error(result)["code"] as? String, "mfaProofRejected", result.stdout)

        // Neither a token nor a proof: say what to give.
        result = try setup.directory.keybridge(mine, environment: ["KEYBRIDGE_DIRECTORY": ""])
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
        XCTAssertTrue((error(result)["message"] as? String ?? "").contains("--tap-file"), result.stdout)
    }

    func testServerAndDirectoryAreExclusiveAndOnlyServedCommandsTakeAServer() async throws {
        let setup = try Setup(.server, policy: Self.policy())
        let server = try XCTUnwrap(setup.server)
        var result = try setup.directory.keybridge(
            ["security-info", "list", "--user", Self.user, "--server", server.baseURL, "--token-file", setup.tokenFile,
             "--directory", setup.directory.databasePath, "--json"])
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
        XCTAssertEqual(error(result)["code"] as? String, "invalidInput")
        XCTAssertTrue((error(result)["message"] as? String ?? "").contains("mutually exclusive"), result.stdout)


        // The environment variables choose the server too; a bad token is the server's refusal.
        let badToken = setup.directory.folder.appendingPathComponent("bad-token").path
        try "kb_not_a_token\n".write(toFile: badToken, atomically: true, encoding: .utf8)
        result = try setup.directory.keybridge(
            ["security-info", "list", "--user", Self.user, "--json"],
            environment: ["KEYBRIDGE_DIRECTORY": "", "KEYBRIDGE_SERVER": server.baseURL, "KEYBRIDGE_TOKEN_FILE": badToken])
        XCTAssertEqual(result.status, 12, result.stdout + result.stderr)
        XCTAssertEqual(error(result)["code"] as? String, "serverUnauthorized")
        XCTAssertFalse(result.stdout.contains("kb_not_a_token"), "the token is never printed")
        result = try setup.directory.keybridge(
            ["security-info", "list", "--user", "nobody@contoso.com", "--json"],
            environment: ["KEYBRIDGE_DIRECTORY": "", "KEYBRIDGE_SERVER": server.baseURL, "KEYBRIDGE_TOKEN_FILE": setup.tokenFile])
        XCTAssertEqual(result.status, 11, result.stdout + result.stderr)
        XCTAssertEqual(error(result)["code"] as? String, "userNotFound")
        XCTAssertFalse(server.log.contains(setup.token), "nor logged by the server")
    }

    // MARK: The key

    /// Discoverable credentials on the key (base64url ids), read with its PIN.
    private func credentialsOnKey(_ deviceID: String) throws -> [String] {
        let result = try ProcessRunner.run(
            TestPaths.keybridge, ["fido", "credentials", "list", "--json", "--device", deviceID], environment: ["KEYBRIDGE_PIN": Self.pin])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let object = try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any]
        return (object?["credentials"] as? [[String: Any]] ?? []).compactMap { $0["credentialId"] as? String }
    }

    /// The key's clientPin option (false: no PIN set).
    private func clientPIN(_ deviceID: String) throws -> Bool? {
        let info = try ProcessRunner.run(TestPaths.keybridge, ["info", "--json", "--device", deviceID])
        let object = try JSONSerialization.jsonObject(with: info.stdoutData) as? [String: Any]
        return ((object?["info"] as? [String: Any])?["options"] as? [String: Any])?["clientPin"] as? Bool
    }
}
