import Foundation
import KeyBridgeCBOR
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration
import XCTest

/// `keybridge export pam-u2f`: the authfile line, parsed back and checked against the stored keys
/// and against a real assertion; read by Debian's pam_u2f itself (through pamtester).
final class PamU2FExportTests: XCTestCase {
    private let office = ["--client-address", "10.1.2.3"]

    func testTheAuthfileLineHoldsEveryUsableKeyAndPamU2FReadsIt() async throws {
        let directory = try DirectoryFixture(policy: """
            {"relyingParty": {"id": "contoso.com"}, "origin": "https://login.contoso.com",
             "authenticationMethods": {"enabled": {"fido2SecurityKey": {}}}}
            """)
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        let first = try VirtualKeyProcess()
        let second = try VirtualKeyProcess()
        let edwards = try VirtualKeyProcess(options: ["--algorithms", "eddsa"])
        for (index, key) in [first, second, edwards].enumerated() {
            var arguments = ["security-info", "add", "security-key", "--user", "dana@contoso.com", "--device", key.deviceID, "--json"] + office
            // The first key needs a pass (the gate's default); the others are proven by the first key.
            var environment = ["KEYBRIDGE_NEW_PIN": "246810"]
            if index > 0 { arguments += ["--mfa-device", first.deviceID] } else { environment["KEYBRIDGE_TAP"] = try directory.issuePass("dana@contoso.com") }
            let added = try directory.keybridge(arguments, environment: environment)
            XCTAssertEqual(added.status, 0, added.stdout + added.stderr)
        }
        let stored = try await directory.methods("dana@contoso.com").compactMap(\.fido2)
        XCTAssertEqual(stored.count, 3)

        let result = try directory.keybridge(["export", "pam-u2f", "--user", "dana@contoso.com", "--login", "nobody", "--json"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let exported = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        XCTAssertEqual(exported["origin"] as? String, "contoso.com")
        XCTAssertEqual((exported["skipped"] as? [[String: Any]])?.count, 1, "the EdDSA key has no pam_u2f form")
        let line = try XCTUnwrap(exported["line"] as? String)
        XCTAssertFalse(line.contains("\n"))

        // Parsed back: one entry per ES256 key, handle and public key as stored.
        let parsed = try PamU2FAuthfile.parse(line)
        XCTAssertEqual(parsed.login, "nobody")
        XCTAssertEqual(parsed.credentials.count, 2)
        for credential in parsed.credentials {
            let key = try XCTUnwrap(stored.first { $0.credentialID == credential.keyHandle })
            let cose = try CBORDecoder(strict: false).decode(key.publicKeyCOSE)
            XCTAssertEqual(credential.coseType, "es256")
            XCTAssertEqual(credential.publicKey, (cose[intKey: -2]?.bytesValue ?? []) + (cose[intKey: -3]?.bytesValue ?? []))
            XCTAssertEqual(credential.options, "+presence")
        }
        // The exported key alone verifies a sign-in made by the first key.
        let session = try await first.open()
        var signIn = GetAssertionRequest(relyingPartyID: "contoso.com", clientData: .challenge(Array(repeating: 7, count: 32), origin: DirectoryFixture.origin))
        signIn.allowCredentials = parsed.credentials.compactMap(\.keyHandle)
        let assertion = try await session.getAssertion(signIn)[0]
        await session.close()
        let signer = try XCTUnwrap(parsed.credentials.first { Base64URL.encode($0.keyHandle ?? []) == assertion.id })
        let publicKey: CBOR = [1: 2, 3: -7, -1: 1, -2: .bytes(Array(signer.publicKey.prefix(32))), -3: .bytes(Array(signer.publicKey.suffix(32)))]
        XCTAssertNoThrow(try FidoVerifier.verifyAssertion(assertion, rpID: "contoso.com", publicKey: publicKey))

        // --file replaces the login's line and keeps everyone else's.
        let authfile = directory.folder.appendingPathComponent("u2f_mappings").path
        try "alice:*,AAAA,es256,+presence\nnobody:old,AAAA,es256,+presence\n".write(toFile: authfile, atomically: true, encoding: .utf8)
        let written = try directory.keybridge(["export", "pam-u2f", "--user", "dana@contoso.com", "--login", "nobody", "--file", authfile])
        XCTAssertEqual(written.status, 0, written.stderr)
        XCTAssertTrue(written.stderr.contains("pam_u2f.so authfile=\(authfile) origin=contoso.com"), written.stderr)
        let lines = try String(contentsOfFile: authfile, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, ["alice:*,AAAA,es256,+presence", line])

        // pam_u2f (Debian's libpam-u2f, through pamtester) reads the line: both keys parsed and
        // tried, none rejected as malformed; it fails only because no key is plugged in.
        let service = "keybridge-test-\(UUID().uuidString.prefix(8).lowercased())"
        let pamFile = "/etc/pam.d/\(service)"
        try "auth required pam_u2f.so authfile=\(authfile) origin=contoso.com debug debug_file=stderr\n"
            .write(toFile: pamFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: pamFile) }
        let pam = try ProcessRunner.run("/usr/bin/pamtester", [service, "nobody", "authenticate"], timeout: 30)
        XCTAssertNotEqual(pam.status, 0, "no key is present, so authentication fails")
        let log = pam.stderr
        XCTAssertTrue(log.contains("Found 2 device(s) for user nobody"), log)
        for (number, credential) in parsed.credentials.enumerated() {
            XCTAssertTrue(log.contains("publicKey for device number \(number + 1): \(Data(credential.publicKey).base64EncodedString())"), log)
            XCTAssertTrue(log.contains("COSE type for device number \(number + 1): es256"), log)
        }
        for failure in ["Failed to", "Unknown COSE type", "Unable to retrieve", "Unable to set keyHandle", "is not 1!"] {
            XCTAssertFalse(log.contains(failure), "pam_u2f rejected part of the line: \(log)")
        }
    }
}
