import Foundation
import KeyBridgeRegistration
import KeyBridgeRegistrationPostgres
import XCTest

/// An embedded directory made through `keybridge admin`, as an administrator would: one tenant
/// (contoso, relying party contoso.com) whose policy comes from `policy`.
final class DirectoryFixture {
    /// Where the directory lives: the embedded SQLite file, or a fresh database in the test
    /// PostgreSQL cluster (`scripts/test-env start`).
    enum Backend: String, CaseIterable { case sqlite, postgres }

    let folder: URL
    let backend: Backend
    /// The SQLite file, or the PostgreSQL URL.
    let directory: String
    var databasePath: String { folder.appendingPathComponent("directory.sqlite").path }
    var keyFile: String { folder.appendingPathComponent("directory.key").path }
    var environment: [String: String] {
        backend == .sqlite ? ["KEYBRIDGE_DIRECTORY": databasePath] : ["KEYBRIDGE_DIRECTORY": directory, "KEYBRIDGE_KEY_FILE": keyFile]
    }

    static let origin = "https://login.contoso.com"

    /// The tenant's policy: security keys (discoverable), authenticator apps and phones enabled;
    /// security info only from 10.0.0.0/8 or the kiosk hr-kiosk-1, and always with MFA.
    static let kioskPolicy = """
        {"relyingParty": {"id": "contoso.com", "name": "Contoso"}, "origin": "https://login.contoso.com",
         "authenticationMethods": {
           "enabled": {"fido2SecurityKey": {}, "authenticatorApp": {}, "otherAuthenticatorApp": {}, "phone": {}, "email": {}},
           "fido2": {"requireResidentKey": true},
           "temporaryAccessPass": {"lifetimeMinutes": 60, "oneTime": true}},
         "registrationAccess": {"allowedNetworks": ["10.0.0.0/8"], "trustedDevices": ["hr-kiosk-1"], "requireMFA": true}}
        """

    init(policy: String = DirectoryFixture.kioskPolicy, backend: Backend = .sqlite) throws {
        folder = try TestPaths.temporaryDirectory()
        self.backend = backend
        directory = backend == .sqlite ? folder.appendingPathComponent("directory.sqlite").path : try TestPostgres.createDatabase()
        let policyFile = folder.appendingPathComponent("policy.json").path
        try policy.write(toFile: policyFile, atomically: true, encoding: .utf8)
        try admin(["tenant", "add", "--id", "contoso", "--name", "Contoso", "--policy-file", policyFile])
    }

    /// Runs `keybridge admin …` and requires success.
    @discardableResult
    func admin(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        let result = try keybridge(["admin"] + arguments + ["--admin", "it@contoso.com", "--client-address", "10.0.0.1"])
        XCTAssertEqual(result.status, 0, "admin \(arguments): \(result.stdout) \(result.stderr)", file: file, line: line)
        return result
    }

    /// Runs any keybridge command against this directory.
    func keybridge(_ arguments: [String], environment extra: [String: String] = [:], input: Data? = nil) throws -> ProcessResult {
        try ProcessRunner.run(TestPaths.keybridge, arguments, input: input, environment: environment.merging(extra) { $1 })
    }

    func addUser(_ upn: String, name: String, groups: [String] = []) throws {
        try admin(["user", "add", "--upn", upn, "--display-name", name, "--home-tenant", "contoso"] + groups.flatMap { ["--group", $0] })
    }

    /// Issues a Temporary Access Pass and returns it.
    func issuePass(_ upn: String) throws -> String {
        let result = try admin(["tap", "issue", "--user", upn, "--json"])
        let object = try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any]
        return try XCTUnwrap(object?["pass"] as? String)
    }

    /// Runs `body` on the directory's store, opened straight (not through keybridge).
    func withStore<T>(_ body: (any RegistrationStore) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite:
            return try await body(try SQLiteRegistrationStore(path: databasePath))
        case .postgres:
            let store = try await PostgresRegistrationStore(url: directory, migrate: false)
            do {
                let result = try await body(store)
                await store.shutdown()
                return result
            } catch {
                await store.shutdown()
                throw error
            }
        }
    }

    /// The user's methods, read straight from the store.
    func methods(_ upn: String) async throws -> [RegisteredMethod] {
        try await withStore { try await $0.methods(upn: upn, tenant: "contoso") }
    }

    func audit() async throws -> [AuditEvent] { try await withStore { try await $0.auditEvents(tenant: "contoso") } }
}
