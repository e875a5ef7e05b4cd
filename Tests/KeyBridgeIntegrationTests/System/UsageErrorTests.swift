import Foundation
import KeyBridgeFIDO
import XCTest

/// Command-line mistakes exit 2 with a clear message — and the JSON envelope with --json — before
/// anything runs: numeric options out of range (infinite, not a number, zero, negative, huge)
/// used to crash (SIGILL) or be accepted; unknown commands and options exited 64 in plain text.
final class UsageErrorTests: XCTestCase {
    private func keybridge(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.run(TestPaths.keybridge, arguments, environment: environment)
    }

    private func envelope(_ result: ProcessResult) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])?["error"] as? [String: Any]) ?? [:]
    }

    func testOutOfRangeNumbersAreRefusedNamingTheOptionAndItsRange() throws {
        for value in ["inf", "1e12", "0", "nan", "-1", "1e300"] {
            for command in [["fido", "make-credential", "--rp", "example.com"], ["fido", "get-assertion", "--rp", "example.com"]] {
                let result = try keybridge(command + ["--timeout=\(value)", "--json"])
                XCTAssertEqual(result.status, 2, "\(command) --timeout=\(value): \(result.stdout) \(result.stderr)")
                XCTAssertEqual(envelope(result)["code"] as? String, "invalidArguments", "\(value): \(result.stdout)")
                XCTAssertTrue((envelope(result)["message"] as? String ?? "").contains("--timeout must be a number of seconds from"), result.stdout)
            }
        }
        for (option, value) in [("--user-action-timeout", "inf"), ("--user-action-timeout", "1e300"), ("--reset-window", "nan"),
                                ("--presence-delay-ms", "-5"), ("--rk-capacity", "-1")] {
            let result = try keybridge(["vkey", "serve", "\(option)=\(value)"])
            XCTAssertEqual(result.status, 2, "\(option)=\(value): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(option), result.stderr)
        }
        let digits = try keybridge(["oath", "add", "--account", "a", "--secret", "JBSWY3DP", "--digits", "12", "--json"])
        XCTAssertEqual(digits.status, 2)
        XCTAssertTrue((envelope(digits)["message"] as? String ?? "").contains("--digits must be from 6 to 8"), digits.stdout)
    }

    func testAnInfiniteTimeoutStartsNoRegistrationAndLeavesNoDanglingAuditEvent() async throws {
        let directory = try DirectoryFixture()
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        let result = try directory.keybridge(
            ["security-info", "add", "security-key", "--user", "dana@contoso.com", "--timeout=inf", "--client-address", "10.1.2.3", "--json"])
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
        let events = try await directory.audit().filter { $0.upn == "dana@contoso.com" && $0.action != "userAdd" }
        XCTAssertEqual(events.count, 0, "nothing started: \(events.map(\.action))")
    }

    func testUnknownCommandsAndOptionsExit2WithTheEnvelopeAndHelpStillExits0() throws {
        for arguments in [["nosuchcommand", "--json"], ["devices", "--bogus", "--json"], ["fido", "make-credential", "--json"]] {
            let result = try keybridge(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stdout) \(result.stderr)")
            XCTAssertEqual(envelope(result)["code"] as? String, "invalidArguments", "\(arguments): \(result.stdout)")
            XCTAssertFalse(result.stderr.isEmpty, "the usage goes to stderr")
        }
        let plain = try keybridge(["nosuchcommand"])
        XCTAssertEqual(plain.status, 2)
        XCTAssertTrue(plain.stdout.isEmpty, "without --json nothing on stdout")
        let help = try keybridge(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("EXIT STATUS"), help.stdout)
    }
}

/// A newline or an escape sequence in a value someone typed (here, a refused user name) is shown
/// escaped in every human-readable output: it cannot forge a line in `admin audit` or rewrite
/// the terminal.
final class TerminalInjectionTests: XCTestCase {
    func testAControlCharacterInARefusedValueCannotForgeAnAuditLine() async throws {
        let directory = try DirectoryFixture()
        let hostile = "mallory@contoso.com\n2026-01-01T00:00:00Z contoso it@contoso.com admin register success\u{1B}[2J"
        let refused = try directory.keybridge(["security-info", "list", "--user", hostile, "--tenant", "contoso", "--client-address", "10.1.2.3"])
        XCTAssertEqual(refused.status, 11, refused.stderr)
        XCTAssertFalse(refused.stderr.contains("\u{1B}"), "no escape sequence reaches the terminal: \(refused.stderr)")
        XCTAssertFalse(refused.stderr.split(separator: "\n").contains { $0.hasPrefix("2026-01-01") }, "no forged line: \(refused.stderr)")
        let audit = try directory.keybridge(["admin", "audit", "--tenant", "contoso"])
        XCTAssertEqual(audit.status, 0, audit.stderr)
        XCTAssertFalse(audit.stdout.contains("\u{1B}"), audit.stdout)
        let lines = audit.stdout.split(separator: "\n")
        XCTAssertFalse(lines.contains { $0.hasPrefix("2026-01-01T00:00:00Z") }, "no forged line:\n\(audit.stdout)")
        XCTAssertTrue(audit.stdout.contains("mallory@contoso.com\\n2026-01-01"), "the value is shown escaped:\n\(audit.stdout)")
        // The stored event keeps the value as it was typed; only its display is escaped.
        let stored = try await directory.audit().contains { $0.upn == hostile }
        XCTAssertTrue(stored)
    }
}

/// A policy document that does not parse says where: the line and column (JSON and YAML); a typo
/// in a member is refused, not ignored; nothing is changed either way.
final class PolicyDocumentErrorTests: XCTestCase {
    func testSyntaxErrorsNameTheLineAndColumnAndTyposAreRefused() async throws {
        let directory = try DirectoryFixture()
        let cases: [(String, String, String)] = [
            ("bad.json", "{\"relyingParty\": {\"id\": \"contoso.com\"},\n \"origin\": \"https://login.contoso.com\",\n  \"sspr\": {\"scope\": all}\n}\n",
             "not valid JSON at line 3, column 21"),
            ("bad.yaml", "relyingParty:\n  id: contoso.com\norigin: https://login.contoso.com\nregistrationAccess:\n  requireMFA: [true\n",
             "in line 5, column 15"),
            ("typo.json", "{\"relyingParty\": {\"id\": \"contoso.com\"}, \"origin\": \"https://login.contoso.com\",\n \"registrationAccess\": {\"requireMfa\": true}}",
             "registrationAccess.requireMfa: unknown member \"requireMfa\" (did you mean \"requireMFA\"?)"),
        ]
        let before = try directory.keybridge(["admin", "policy", "show", "--tenant", "contoso"]).stdout
        for (name, text, expected) in cases {
            let file = directory.folder.appendingPathComponent(name).path
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let result = try directory.keybridge(
                ["admin", "policy", "set", "--tenant", "contoso", "--file", file, "--json", "--admin", "it@contoso.com", "--client-address", "10.0.0.1"])
            XCTAssertEqual(result.status, 2, "\(name): \(result.stdout) \(result.stderr)")
            let error = (try? JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])?["error"] as? [String: Any]
            XCTAssertEqual(error?["code"] as? String, "invalidPolicy", result.stdout)
            XCTAssertTrue((error?["detail"] as? String ?? "").contains(expected), "\(name): \(result.stdout)")
        }
        XCTAssertEqual(try directory.keybridge(["admin", "policy", "show", "--tenant", "contoso"]).stdout, before, "nothing changed")
    }
}

/// Values past what CTAP and WebAuthn allow are refused before the key is asked, naming the bound
/// (a 5 KB relying party id used to come back as CTAP status 0x39, 100 KB as "lost contact"); names
/// are cut to the 64 bytes keys keep, as WebAuthn clients do.
final class RequestLimitTests: XCTestCase {
    func testAnOversizedRelyingPartyIsRefusedBeforeTheKeyAndLongNamesAreTruncated() throws {
        let key = try VirtualKeyProcess()
        let challenge = Base64URL.encode((0..<32).map { UInt8($0) })
        for size in [5_000, 100_000] {
            let rp = String(repeating: "a", count: size) + ".com"
            let result = try ProcessRunner.run(
                TestPaths.keybridge,
                ["fido", "make-credential", "--device", key.deviceID, "--rp", rp, "--user", "alice", "--challenge", challenge,
                 "--origin", "https://example.com", "--json", "--timeout", "5"])
            XCTAssertEqual(result.status, 2, "\(size): \(result.stdout.prefix(300)) \(result.stderr.prefix(300))")
            let error = (try? JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])?["error"] as? [String: Any]
            XCTAssertTrue((error?["message"] as? String ?? "").contains("at most 253 characters"), String(result.stdout.prefix(400)))
        }
        // A 200-byte display name: registered, the key keeping its first 64 bytes (32 whole "é").
        let pin = ["KEYBRIDGE_NEW_PIN": "246810", "KEYBRIDGE_PIN": "246810"]
        XCTAssertEqual(try ProcessRunner.run(TestPaths.keybridge, ["fido", "pin", "set", "--device", key.deviceID], environment: pin).status, 0)
        let long = String(repeating: "é", count: 100)
        let made = try ProcessRunner.run(
            TestPaths.keybridge,
            ["fido", "make-credential", "--device", key.deviceID, "--rp", "example.com", "--user", "alice", "--display-name", long,
             "--resident-key", "--challenge", challenge, "--origin", "https://example.com", "--json"],
            environment: pin)
        XCTAssertEqual(made.status, 0, made.stdout + made.stderr)
        let listed = try ProcessRunner.run(TestPaths.keybridge, ["fido", "credentials", "list", "--device", key.deviceID, "--json"], environment: pin)
        let credentials = (try JSONSerialization.jsonObject(with: listed.stdoutData) as? [String: Any])?["credentials"] as? [[String: Any]]
        XCTAssertEqual(credentials?.first?["userDisplayName"] as? String, String(repeating: "é", count: 32), listed.stdout)
    }
}
