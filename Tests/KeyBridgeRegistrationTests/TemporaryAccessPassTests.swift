import Foundation
@testable import KeyBridgeRegistration
import XCTest

/// Temporary Access Pass: admin-issued, shown once, stored hashed, time-limited, one-time or not;
/// it opens manage mode for a user who already has an MFA method.
final class TemporaryAccessPassTests: XCTestCase {
    private func userWithPhone(_ configuration: TenantConfiguration) throws -> RegistrationService {
        let service = try Directory.service(configuration)
        let session = try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        _ = try session.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        return service
    }

    func testOneTimePassOpensManageModeOnceAndIsStoredHashed() throws {
        let service = try userWithPhone(Directory.configuration())
        let (pass, expires) = try service.issueTemporaryAccessPass(
            upn: Directory.alice.upn, tenant: "contoso", admin: "hr-admin@contoso.com", client: Directory.office)
        XCTAssertGreaterThan(expires, Date())
        let stored = try service.store.passes(upn: Directory.alice.upn, tenant: "contoso")
        XCTAssertEqual(stored.count, 1)
        XCTAssertNotEqual(stored[0].hash, Array(pass.utf8), "only a salted hash is kept")
        XCTAssertEqual(try service.store.auditEvents(tenant: "contoso").last?.actor, .admin)

        XCTAssertThrowsError(
            try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass("wrong-pass")))
        XCTAssertNoThrow(
            try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(pass)))
        XCTAssertThrowsError(
            try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(pass))
        ) { error in
            guard case .mfaProofRejected = error as? RegistrationError else { return XCTFail("\(error)") }
        }
    }

    func testReusablePassAndExpiry() throws {
        var configuration = Directory.configuration()
        configuration.methods.temporaryAccessPassOneTime = false
        let service = try userWithPhone(configuration)
        let (pass, _) = try service.issueTemporaryAccessPass(
            upn: Directory.alice.upn, tenant: "contoso", admin: "admin", client: Directory.office)
        for _ in 0..<2 {
            XCTAssertNoThrow(
                try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(pass)))
        }
        configuration.methods.temporaryAccessPassLifetime = 0.1
        let shortLived = try userWithPhone(configuration)
        let (brief, _) = try shortLived.issueTemporaryAccessPass(
            upn: Directory.alice.upn, tenant: "contoso", admin: "admin", client: Directory.office)
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertThrowsError(
            try ManageSession.open(shortLived, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(brief)))
    }
}
