import Foundation
import KeyBridgeFIDO
import KeyBridgeRegistration
import KeyBridgeRegistrationPostgres
import KeyBridgeTestSupport
import XCTest

/// Several `keybridge serve` processes on one PostgreSQL directory: single-use challenges and
/// one-time passes hold across servers and processes, and a server killed mid-registration leaves
/// nothing half stored while the other goes on.
final class SharedDirectoryTests: XCTestCase {
    /// Keys and passes from loopback; security info always needs MFA (so a pass is needed to open it).
    static let policy = """
        {"relyingParty": {"id": "example.com", "name": "Example"}, "origin": "https://example.com",
         "authenticationMethods": {
           "enabled": {"fido2SecurityKey": {}, "phone": {}},
           "temporaryAccessPass": {"lifetimeMinutes": 60, "oneTime": true}},
         "registrationAccess": {"allowedNetworks": ["127.0.0.0/8"], "requireMFA": true}}
        """

    /// A registration made by python-fido2 on the virtual card over `server`'s creation options, not yet posted.
    private func prepared(_ server: ServerProcess, token: String, card: VirtualCardProcess, upn: String = "alice@contoso.com") throws
        -> (body: [String: Any], credentialID: String)
    {
        let script = TestPaths.packageRoot.appendingPathComponent("scripts/peers/graph_client.py").path
        let result = try ProcessRunner.run(
            TestPaths.peerPython, [script, "prepare", server.baseURL, token, upn, card.reader, "https://example.com"], timeout: 90)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let reply = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any], result.stdout)
        return (try XCTUnwrap(reply["body"] as? [String: Any]), try XCTUnwrap(reply["pyWebauthnCredentialId"] as? String))
    }

    func testTwoServersShareSingleUseChallengesAndAOneTimePassWorksOnceAcrossProcesses() async throws {
        let directory = try DirectoryFixture(policy: Self.policy, backend: .postgres)
        try directory.addUser("alice@contoso.com", name: "Alice")
        let token = try GraphAPITests.token(directory, ["manage", "read"])
        let first = try ServerProcess(directory: directory.directory, environment: directory.environment)
        let second = try ServerProcess(directory: directory.directory, environment: directory.environment)
        let card = try VirtualCardProcess()

        // Options from the first server; the same registration posted 8 times to each server at once.
        let (object, credentialID) = try prepared(first, token: token, card: card)
        let body = try JSONSerialization.data(withJSONObject: object)
        let path = "/users/alice@contoso.com/authentication/fido2Methods"
        let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for index in 0..<16 {
                let server = index.isMultiple(of: 2) ? first : second
                group.addTask {
                    let reply = try await server.request("POST", path, token: token, rawBody: body)
                    return (reply.status, reply.innerCode)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses.filter { $0.0 == 201 }.count, 1, "\(statuses)")
        XCTAssertEqual(statuses.filter { $0.0 == 400 && $0.1 == "challengeUnknownOrUsed" }.count, 15, "\(statuses)")
        let keys = try await directory.methods("alice@contoso.com").compactMap(\.fido2)
        XCTAssertEqual(keys.map { Base64URL.encode($0.credentialID) }, [credentialID], "stored once")

        // A one-time pass issued through one server opens security info once, from one of six CLI processes.
        let issued = try await second.request("POST", "/users/alice@contoso.com/authentication/temporaryAccessPassMethods", token: token)
        XCTAssertEqual(issued.status, 201, issued.text)
        let passFile = directory.folder.appendingPathComponent("pass").path
        try XCTUnwrap(issued.body["temporaryAccessPass"] as? String).write(toFile: passFile, atomically: true, encoding: .utf8)
        let environment = directory.environment
        let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try ProcessRunner.run(
                        TestPaths.keybridge,
                        ["security-info", "list", "--user", "alice@contoso.com", "--tap-file", passFile, "--client-address", "127.0.0.1", "--json"],
                        environment: environment)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(results.filter { $0.status == 0 }.count, 1, results.map { "\($0.status) \($0.stdout)" }.joined(separator: "\n"))
        XCTAssertEqual(results.filter { $0.status == 12 }.count, 5, "the others are refused: the pass is used up")
    }

    func testAServerKilledDuringARegistrationLeavesNothingHalfStoredAndTheOtherGoesOn() async throws {
        let directory = try DirectoryFixture(policy: Self.policy, backend: .postgres)
        try directory.addUser("alice@contoso.com", name: "Alice")
        try directory.addUser("bob@contoso.com", name: "Bob")
        let token = try GraphAPITests.token(directory, ["manage", "read"])
        let doomed = try ServerProcess(directory: directory.directory, environment: directory.environment)
        let survivor = try ServerProcess(directory: directory.directory, environment: directory.environment)
        let card = try VirtualCardProcess()
        let path = "/users/alice@contoso.com/authentication/fido2Methods"

        // The registration reaches the doomed server, which is killed while it works on it.
        let (object, credentialID) = try prepared(doomed, token: token, card: card)
        let body = try JSONSerialization.data(withJSONObject: object)
        let inFlight = Task { (try? await doomed.request("POST", path, token: token, rawBody: body))?.status }
        try await Task.sleep(for: .milliseconds(3))
        doomed.kill()
        _ = await inFlight.value

        // Whatever the doomed server got to: the key is stored whole (method and audit entry) or not at all.
        let afterKill = try await directory.methods("alice@contoso.com")
        let registered = try await directory.audit().filter { $0.action == "register" && $0.outcome == .success }
        XCTAssertLessThanOrEqual(afterKill.count, 1)
        XCTAssertEqual(afterKill.count, registered.count, "a stored key always has its audit entry, and only then")

        // The survivor goes on: the same registration is accepted there only if the doomed server did
        // not commit it, so the key ends up stored exactly once either way.
        let retried = try await survivor.request("POST", path, token: token, rawBody: body)
        XCTAssertEqual(retried.status, afterKill.isEmpty ? 201 : 400, retried.text)
        let keys = try await directory.methods("alice@contoso.com").compactMap(\.fido2)
        XCTAssertEqual(keys.map { Base64URL.encode($0.credentialID) }, [credentialID])
        // And it serves a fresh registration end to end (another user: the key refuses a second
        // credential for alice, whose key is on its exclude list).
        let (next, nextID) = try prepared(survivor, token: token, card: card, upn: "bob@contoso.com")
        let created = try await survivor.request("POST", "/users/bob@contoso.com/authentication/fido2Methods", token: token, json: next)
        XCTAssertEqual(created.status, 201, created.text)
        await XCTAssertEqualAsync(try await directory.methods("bob@contoso.com").compactMap(\.fido2).map { Base64URL.encode($0.credentialID) }, [nextID])
    }

    func testAdminMigrateAndDoctorWorkOnASharedDirectory() async throws {
        let directory = try DirectoryFixture(policy: Self.policy, backend: .postgres)
        let migrated = try directory.admin(["migrate", "--json"])
        let version = try XCTUnwrap((try JSONSerialization.jsonObject(with: migrated.stdoutData) as? [String: Any])?["schemaVersion"] as? String)
        XCTAssertEqual(Int(version), PostgresRegistrationStore.latestSchemaVersion)
        XCTAssertFalse(migrated.stdout.contains("password"), "the URL is shown without credentials")

        let healthy = try directory.keybridge(["doctor", "--json"])
        let findings = try XCTUnwrap(try JSONSerialization.jsonObject(with: healthy.stdoutData) as? [[String: Any]], healthy.stdout)
        let checks = findings.filter { $0["check"] as? String == "directory" }
        XCTAssertEqual(checks.compactMap { $0["status"] as? String }, ["ok", "ok"], "\(checks)")
        XCTAssertTrue((checks.first?["detail"] as? String)?.contains("1 tenant(s)") == true, "\(checks)")

        // Without its key file a shared directory is a problem doctor names, with the fix.
        let missing = try directory.keybridge(["doctor", "--json"], environment: ["KEYBRIDGE_KEY_FILE": directory.keyFile + ".moved"])
        XCTAssertEqual(missing.status, 1)
        let problems = try XCTUnwrap(try JSONSerialization.jsonObject(with: missing.stdoutData) as? [[String: Any]])
            .filter { $0["check"] as? String == "directory" && $0["status"] as? String == "problem" }
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue((problems.first?["fix"] as? String)?.contains("never make a new one") == true)
    }
}
