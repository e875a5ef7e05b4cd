import Foundation
import KeyBridgeFIDO
@testable import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Policies as documents (what `keybridge admin policy show|set` prints and reads), kept in the
/// store per tenant; admin changes audited; code attempts counted across service instances.
final class PolicyDocumentTests: XCTestCase {
    private func decode(_ json: String) throws -> TenantConfiguration {
        try JSONDecoder().decode(TenantConfiguration.self, from: Data(json.utf8))
    }

    private func decodingMessage(_ json: String) -> String {
        do {
            _ = try decode(json)
            return "decoded"
        } catch DecodingError.dataCorrupted(let context) {
            return context.debugDescription
        } catch {
            return "\(error)"
        }
    }

    func testAFullConfigurationRoundTripsThroughItsDocument() throws {
        var configuration = Directory.configuration(enabled: [.fido2SecurityKey, .phone, .email])
        configuration.methods.enabled[.phone] = PolicyTarget(allUsers: false, groups: ["staff"], excludedGroups: ["contractors"])
        configuration.methods.fido2.restriction = .block(["f1d0f1d0-6b65-7962-7269-646765000001"])
        configuration.methods.fido2.enforceAttestation = true
        configuration.methods.temporaryAccessPassLifetime = 7200
        configuration.sspr = SSPRPolicy(scope: .group("sspr-users"), methodsRequired: 2, allowedMethods: [.phone, .email], reconfirmDays: 90)
        configuration.access = RegistrationAccessRule(allowedNetworks: ["10.0.0.0/8"], trustedDevices: ["hr-kiosk-1"], requireMFA: true)
        let data = try JSONEncoder().encode(configuration)
        let back = try JSONDecoder().decode(TenantConfiguration.self, from: data)
        XCTAssertEqual(back.methods, configuration.methods)
        XCTAssertEqual(back.sspr, configuration.sspr)
        XCTAssertEqual(back.access, configuration.access)
        XCTAssertEqual(back.relyingParty, configuration.relyingParty)
        XCTAssertEqual(back.origin, configuration.origin)
        // The document is readable: method names and modes as words, not enum internals.
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"keyRestriction\":{\"aaguids\":[\"f1d0f1d0-6b65-7962-7269-646765000001\"],\"mode\":\"block\"}")
            || text.contains("\"mode\":\"block\""), text)
        XCTAssertTrue(text.contains("\"scope\":\"group\""), text)
        XCTAssertTrue(text.contains("\"lifetimeMinutes\":120"), text)
    }

    func testAMinimalDocumentTakesDefaults() throws {
        let configuration = try decode(#"{"relyingParty": {"id": "contoso.com"}, "origin": "https://login.contoso.com"}"#)
        XCTAssertTrue(configuration.methods.enabled.isEmpty, "nothing is enabled unless the document says so")
        XCTAssertEqual(configuration.sspr.scope, .off)
        XCTAssertTrue(configuration.methods.fido2.selfServiceSetup)
        XCTAssertEqual(configuration.challengeLifetime, 300)
    }

    /// A member the document does not know — a typo — is refused at every level, naming it, its
    /// place and the nearest known member; it is never silently ignored.
    func testUnknownMembersAreRefusedWithTheNearestKnownOne() {
        let base = #""relyingParty": {"id": "contoso.com"}, "origin": "https://contoso.com""#
        for (document, path, unknown, near) in [
            ("{\(base), \"registrationAccess\": {\"requireMfa\": true}}", ["registrationAccess"], "requireMfa", "requireMFA"),
            ("{\(base), \"challengeLifetime\": 60}", [], "challengeLifetime", "challengeLifetimeSeconds"),
            ("{\(base), \"sspr\": {\"scope\": \"all\", \"methodRequired\": 1}}", ["sspr"], "methodRequired", "methodsRequired"),
            ("{\(base), \"authenticationMethods\": {\"fido2\": {\"enforceAttestaton\": true}}}", ["authenticationMethods", "fido2"],
             "enforceAttestaton", "enforceAttestation"),
            ("{\(base), \"authenticationMethods\": {\"temporaryAccessPass\": {\"lifetimeMinutes\": 60, \"oneTime\": true, \"onetime\": false}}}",
             ["authenticationMethods", "temporaryAccessPass"], "onetime", "oneTime"),
            ("{\(base), \"authenticationMethods\": {\"fido2\": {\"keyRestriction\": {\"mode\": \"block\", \"aaguid\": []}}}}",
             ["authenticationMethods", "fido2", "keyRestriction"], "aaguid", "aaguids"),
            ("{\(base), \"authenticationMethods\": {\"enabled\": {\"email\": {\"group\": [\"hr\"]}}}}",
             ["authenticationMethods", "enabled", "email"], "group", "groups"),
        ] {
            do {
                _ = try decode(document)
                XCTFail("accepted \(unknown)")
            } catch DecodingError.dataCorrupted(let context) {
                XCTAssertEqual(context.codingPath.map(\.stringValue), path + [unknown], document)
                XCTAssertTrue(context.debugDescription.contains("unknown member \"\(unknown)\" (did you mean \"\(near)\"?)"), context.debugDescription)
            } catch {
                XCTFail("\(error)")
            }
        }
        XCTAssertFalse(decodingMessage("{\(base), \"zzzz\": 1}").contains("did you mean"), "no suggestion when nothing is near")
    }

    func testBadDocumentsAreRefusedNamingWhatIsWrong() {
        let base = #""relyingParty": {"id": "contoso.com"}, "origin": "https://contoso.com""#
        XCTAssertTrue(decodingMessage(#"{"relyingParty": {"id": "contoso.com"}, "origin": "http://contoso.com"}"#).contains("https"))
        XCTAssertTrue(decodingMessage(#"{"relyingParty": {"id": "example.org"}, "origin": "https://contoso.com"}"#).contains("suffix"))
        let longName = String(repeating: "x", count: 65)
        XCTAssertTrue(
            decodingMessage("{\"relyingParty\": {\"id\": \"contoso.com\", \"name\": \"\(longName)\"}, \"origin\": \"https://contoso.com\"}")
                .contains("name is 65 bytes; keys keep at most 64"))
        let longID = String(repeating: "a", count: 250) + ".com"
        XCTAssertTrue(
            decodingMessage("{\"relyingParty\": {\"id\": \"\(longID)\"}, \"origin\": \"https://\(longID)\"}").contains("at most 253 characters"))
        XCTAssertTrue(decodingMessage("{\(base), \"sspr\": {\"scope\": \"all\", \"methodsRequired\": 3}}").contains("1 or 2"))
        XCTAssertTrue(decodingMessage("{\(base), \"sspr\": {\"scope\": \"all\", \"reconfirmDays\": 731}}").contains("0 to 730"))
        XCTAssertTrue(decodingMessage("{\(base), \"sspr\": {\"scope\": \"group\"}}").contains("group's name"))
        XCTAssertTrue(
            decodingMessage("{\(base), \"authenticationMethods\": {\"enabled\": {\"carrierPigeon\": {}}}}").contains("carrierPigeon"))
        XCTAssertTrue(
            decodingMessage("{\(base), \"registrationAccess\": {\"allowedNetworks\": [\"10.0.0.0/33\"]}}").contains("10.0.0.0/33"))
        XCTAssertTrue(
            decodingMessage(
                "{\(base), \"authenticationMethods\": {\"fido2\": {\"keyRestriction\": {\"mode\": \"allow\", \"aaguids\": [\"nope\"]}}}}"
            ).contains("not an AAGUID"))
        XCTAssertTrue(
            decodingMessage("{\(base), \"authenticationMethods\": {\"fido2\": {\"trustAnchors\": [\"garbage\"]}}}").contains("PEM"))
    }

    func testTenantsKeepTheirPoliciesInTheStoreAndAdminChangesAreAudited() async throws {
        let store = try SQLiteRegistrationStore()
        let service = RegistrationService(store: store)
        let admin = ClientContext(address: "10.0.0.1")
        await XCTAssertThrowsErrorAsync(try await service.configuration("contoso")) { XCTAssertEqual($0 as? RegistrationError, .tenantNotFound("contoso")) }
        try await service.createTenant(Tenant(id: "contoso", name: "Contoso"), configuration: Directory.configuration(), admin: "it@contoso.com", client: admin)
        await XCTAssertThrowsErrorAsync(
            try await service.createTenant(Tenant(id: "contoso", name: "Again"), configuration: Directory.configuration(), admin: "it", client: admin)
        ) { XCTAssertEqual($0 as? RegistrationError, .alreadyExists("tenant contoso")) }
        await XCTAssertEqualAsync(try await service.configuration("contoso").sspr.methodsRequired, 2)

        var changed = Directory.configuration(ssprRequired: 1)
        changed.access.trustedDevices = ["hr-kiosk-1"]
        try await service.setConfiguration(changed, tenant: "contoso", admin: "it@contoso.com", client: admin)
        try await store.save(tenant: Tenant(id: "contoso", name: "Contoso Ltd"))  // a rename keeps the policies
        await XCTAssertEqualAsync(try await service.configuration("contoso").sspr.methodsRequired, 1)
        await XCTAssertEqualAsync(try await service.configuration("contoso").access.trustedDevices, ["hr-kiosk-1"])

        await XCTAssertThrowsErrorAsync(
            try await service.addUser(
                DirectoryUser(upn: "bob@contoso.com", displayName: "Bob", homeTenant: "contoso", guestTenants: ["nowhere"]),
                admin: "it", client: admin)
        ) { XCTAssertEqual($0 as? RegistrationError, .tenantNotFound("nowhere")) }
        await XCTAssertThrowsErrorAsync(
            try await service.addUser(DirectoryUser(upn: "bob", displayName: "Bob", homeTenant: "contoso"), admin: "it", client: admin)
        ) { guard case .invalidInput = $0 as? RegistrationError else { return XCTFail("\($0)") } }
        try await service.addUser(DirectoryUser(upn: "bob@contoso.com", displayName: "Bob", homeTenant: "contoso"), admin: "it", client: admin)
        await XCTAssertEqualAsync(try await store.users().map(\.upn), ["bob@contoso.com"])

        let actions = try await store.auditEvents(tenant: "contoso").map { "\($0.action):\($0.outcome.rawValue)" }
        XCTAssertEqual(
            actions,
            ["tenantAdd:success", "tenantAdd:failure", "policyChange:success", "userAdd:failure", "userAdd:failure", "userAdd:success"])
        await XCTAssertTrueAsync(try await store.auditEvents(tenant: "contoso").allSatisfy { $0.actor == .admin && $0.mode == .admin })
    }

    func testWrongCodesAreCountedAcrossProcessesThroughTheStore() async throws {
        let path = NSTemporaryDirectory() + "kb-attempts-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let first = AttemptLimiter(store: try SQLiteRegistrationStore(path: path))
        for _ in 0..<5 { try await first.claim("contoso/alice") }
        // A second process (here: a second store on the same file) sees the same count.
        let second = AttemptLimiter(store: try SQLiteRegistrationStore(path: path))
        await XCTAssertThrowsErrorAsync(try await second.claim("contoso/alice")) {
            guard case .mfaProofRejected(let message) = $0 as? RegistrationError else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("too many"))
        }
        await XCTAssertNoThrowAsync(try await second.claim("contoso/bob"), "limits are per key")
        try await second.reset("contoso/alice")
        await XCTAssertNoThrowAsync(try await first.claim("contoso/alice"))
    }

    /// Checking before recording let every racer through a check made before any was recorded:
    /// of forty concurrent attempts through two stores on one file, at most five may be checked.
    func testConcurrentAttemptsCannotOutrunTheLimit() async throws {
        let path = NSTemporaryDirectory() + "kb-attempts-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let limiters = [
            AttemptLimiter(store: try SQLiteRegistrationStore(path: path)), AttemptLimiter(store: try SQLiteRegistrationStore(path: path)),
        ]
        let outcomes = await withTaskGroup(of: RegistrationError?.self) { group in
            for index in 0..<40 {
                group.addTask {
                    do { try await limiters[index % 2].claim("contoso/alice") } catch { return error as? RegistrationError ?? .store("\(error)") }
                    return nil
                }
            }
            var outcomes: [RegistrationError?] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        // Claims that land together may all count each other, so fewer than five (even none) can
        // pass: a flood locks the key; never more than five.
        let passed = outcomes.filter { $0 == nil }.count
        XCTAssertTrue((0...5).contains(passed), "at most the limit goes on to be checked: \(passed)")
        let refusals = outcomes.compactMap { $0 }
        XCTAssertEqual(refusals.count, 40 - passed)
        XCTAssertTrue(refusals.allSatisfy { $0 == .mfaProofRejected("too many wrong codes; wait 5 minutes and try again") }, "\(refusals)")
    }
}
