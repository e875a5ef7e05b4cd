import Foundation
@testable import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Temporary Access Pass: admin-issued, shown once, stored hashed, time-limited, one-time or not;
/// it opens manage mode for a user who already has an MFA method.
final class TemporaryAccessPassTests: XCTestCase {
    private func userWithPhone(_ configuration: TenantConfiguration) async throws -> RegistrationService {
        let service = try await Directory.service(configuration)
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        _ = try await session.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        return service
    }

    func testOneTimePassOpensManageModeOnceAndIsStoredHashed() async throws {
        let service = try await userWithPhone(Directory.configuration())
        let (pass, expires, _) = try await service.issueTemporaryAccessPass(
            upn: Directory.alice.upn, tenant: "contoso", admin: "hr-admin@contoso.com", client: Directory.office)
        XCTAssertGreaterThan(expires, Date())
        let stored = try await service.store.passes(upn: Directory.alice.upn, tenant: "contoso")
        XCTAssertEqual(stored.count, 1)
        XCTAssertNotEqual(stored[0].hash, Array(pass.utf8), "only a salted hash is kept")
        await XCTAssertEqualAsync(try await service.store.auditEvents(tenant: "contoso").last?.actor, .admin)

        await XCTAssertThrowsErrorAsync(
            try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass("wrong-pass"))
        ) { XCTAssertEqual($0 as? RegistrationError, .mfaProofRejected("the Temporary Access Pass is wrong, expired or used")) }
        await XCTAssertNoThrowAsync(
            try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(pass)))
        await XCTAssertThrowsErrorAsync(
            try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(pass))
        ) { error in
            guard case .mfaProofRejected = error as? RegistrationError else { return XCTFail("\(error)") }
        }
    }

    func testReusablePassAndExpiry() async throws {
        var configuration = Directory.configuration()
        configuration.methods.temporaryAccessPassOneTime = false
        let service = try await userWithPhone(configuration)
        let (pass, _, _) = try await service.issueTemporaryAccessPass(
            upn: Directory.alice.upn, tenant: "contoso", admin: "admin", client: Directory.office)
        for _ in 0..<2 {
            await XCTAssertNoThrowAsync(
                try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(pass)))
        }
        configuration.methods.temporaryAccessPassLifetime = 0.1
        let shortLived = try await userWithPhone(configuration)
        let (brief, _, _) = try await shortLived.issueTemporaryAccessPass(
            upn: Directory.alice.upn, tenant: "contoso", admin: "admin", client: Directory.office)
        try await Task.sleep(for: .milliseconds(300))
        await XCTAssertThrowsErrorAsync(
            try await ManageSession.open(shortLived, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(brief))
        ) { XCTAssertEqual($0 as? RegistrationError, .mfaProofRejected("the Temporary Access Pass is wrong, expired or used")) }
    }
}
