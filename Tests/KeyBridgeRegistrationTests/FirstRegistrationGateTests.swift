import Foundation
import KeyBridgeFIDO
@testable import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// The gate's default: keybridge has no password factor, so a user with no MFA-capable method
/// needs a Temporary Access Pass to register a first method, unless an admin turns that off; and
/// a pass given is always checked, needed or not.
final class FirstRegistrationGateTests: XCTestCase {
    private let alice = Directory.alice.upn

    private func open(_ service: RegistrationService, proof: MFAProof? = nil) async throws(RegistrationError) -> ManageSession {
        try await ManageSession.open(service, upn: alice, tenant: "contoso", client: Directory.office, proof: proof)
    }

    private func issue(_ service: RegistrationService) async throws -> String {
        try await service.issueTemporaryAccessPass(upn: alice, tenant: "contoso", admin: "admin", client: Directory.office).pass
    }

    func testTheStandardPolicyNeedsAPassForAFirstMethod() async throws {
        let standard = TenantConfiguration.standard(relyingParty: RelyingParty(id: "example.com", name: "Example"), origin: "https://example.com")
        XCTAssertFalse(standard.access.allowFirstRegistrationWithoutProof)
        XCTAssertNil(standard.access.firstRegistrationWarning)
        let service = try await Directory.service(standard)
        await XCTAssertThrowsErrorAsync(try await self.open(service)) {
            XCTAssertEqual($0 as? RegistrationError, .temporaryAccessPassRequired)
        }
        let audit = try await service.store.auditEvents(tenant: "contoso")
        XCTAssertEqual(audit.last.map { "\($0.action):\($0.outcome):\($0.reason ?? "")" }, "start:failure:temporaryAccessPassRequired")
        await XCTAssertTrueAsync(try await service.store.methods(upn: self.alice, tenant: "contoso").isEmpty)
        await XCTAssertTrueAsync(try await service.requiresProof(upn: self.alice, tenant: "contoso"))
        await XCTAssertFalseAsync(try await service.requiresMFA(upn: self.alice, tenant: "contoso"))

        // With a pass the page opens, and a one-time pass is used up.
        let pass = try await issue(service)
        let session = try await open(service, proof: .temporaryAccessPass(pass))
        _ = try await session.beginFIDO2Registration()
        await XCTAssertThrowsErrorAsync(try await self.open(service, proof: .temporaryAccessPass(pass))) { error in
            guard case .mfaProofRejected = error as? RegistrationError else { return XCTFail("\(error)") }
        }
    }

    func testAWrongPassIsRefusedEvenWhenNoneIsNeeded() async throws {
        let service = try await Directory.service(Directory.configuration(access: Directory.openFirstRegistration))
        await XCTAssertNoThrowAsync(try await self.open(service), "the admin turned the first-registration gate off")
        await XCTAssertThrowsErrorAsync(try await self.open(service, proof: .temporaryAccessPass("BOGUSBOGUSBOGUS2"))) { error in
            guard case .mfaProofRejected = error as? RegistrationError else { return XCTFail("\(error)") }
        }
        let audit = try await service.store.auditEvents(tenant: "contoso")
        XCTAssertEqual(audit.last?.outcome, .failure)
        XCTAssertEqual(audit.last?.reason?.hasPrefix("mfaProofRejected"), true, "\(audit.last?.reason ?? "")")
    }

    func testARightPassIsUsedUpEvenWhenNoneIsNeeded() async throws {
        let service = try await Directory.service(Directory.configuration(access: Directory.openFirstRegistration))
        let pass = try await issue(service)
        await XCTAssertNoThrowAsync(try await self.open(service, proof: .temporaryAccessPass(pass)))
        let stored = try await service.store.passes(upn: alice, tenant: "contoso")
        XCTAssertEqual(stored.map(\.used), [true], "the pass was checked and used, not ignored")
        await XCTAssertThrowsErrorAsync(try await self.open(service, proof: .temporaryAccessPass(pass))) { error in
            guard case .mfaProofRejected = error as? RegistrationError else { return XCTFail("\(error)") }
        }
    }

    func testAUserWithAnMFAMethodIsAskedForMFANotForAPass() async throws {
        let service = try await Directory.service(Directory.configuration(access: RegistrationAccessRule()))
        let session = try await open(service, proof: .temporaryAccessPass(try await issue(service)))
        _ = try await session.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        await XCTAssertThrowsErrorAsync(try await self.open(service)) {
            XCTAssertEqual($0 as? RegistrationError, .mfaRequired)
        }
    }

    func testTheSwitchIsAPolicyMemberAndWarnsWhileOn() throws {
        let document = """
            {"relyingParty": {"id": "example.com", "name": "Example"}, "origin": "https://example.com",
             "authenticationMethods": {"enabled": {"fido2SecurityKey": {"allUsers": true}}},
             "registrationAccess": {"allowFirstRegistrationWithoutProof": true}}
            """
        let configuration = try JSONDecoder().decode(TenantConfiguration.self, from: Data(document.utf8))
        XCTAssertTrue(configuration.access.allowFirstRegistrationWithoutProof)
        XCTAssertEqual(configuration.access.firstRegistrationWarning?.contains("allowFirstRegistrationWithoutProof"), true)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration)) as? [String: Any]
        let access = encoded?["registrationAccess"] as? [String: Any]
        XCTAssertEqual(access?["allowFirstRegistrationWithoutProof"] as? Bool, true, "policy show prints the switch")

        let withoutIt = try JSONDecoder().decode(
            TenantConfiguration.self, from: Data(document.replacingOccurrences(of: "\"allowFirstRegistrationWithoutProof\": true", with: "\"requireMFA\": false").utf8))
        XCTAssertFalse(withoutIt.access.allowFirstRegistrationWithoutProof, "off unless an admin turns it on")
    }
}
