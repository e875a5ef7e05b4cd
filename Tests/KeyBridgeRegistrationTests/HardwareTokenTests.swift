import Foundation
import KeyBridgeOATH
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Hardware tokens: admin CSV import with row-level errors, activation by serial + current code,
/// and delete returning the token to the inventory.
final class HardwareTokenTests: XCTestCase {
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    func testCSVImportReportsBadRowsAndThenImportsNothing() async throws {
        let service = try await Directory.service(Directory.configuration(enabled: [.hardwareToken]))
        let csv = """
            upn,serial number,secret key,time interval,manufacturer,model
            alice@contoso.com,SN-100,\(secret),30,Contoso,OTP c200
            nobody@contoso.com,SN-101,\(secret),30,Contoso,OTP c200
            alice@contoso.com,SN-102,not*base32,30,Contoso,OTP c200
            alice@contoso.com,SN-103,\(secret),45,Contoso,OTP c200
            alice@contoso.com,SN-100,\(secret),30,Contoso,OTP c200
            alice@contoso.com,SN-104,\(secret),60
            "alice@contoso.com","SN-105","\(secret)","60","Contoso, Inc.","OTP c300"
            """
        let report = try await service.importHardwareTokens(csv: csv, tenant: "contoso", admin: "admin", client: Directory.office)
        XCTAssertEqual(report.imported, [], "a bad row stops the whole import")
        XCTAssertEqual(report.errors.map(\.line), [3, 4, 5, 6, 7])
        XCTAssertTrue(report.errors[0].message.contains("no user"))
        XCTAssertTrue(report.errors[1].message.contains("Base32"))
        XCTAssertTrue(report.errors[2].message.contains("30 or 60"))
        XCTAssertTrue(report.errors[3].message.contains("already"))
        XCTAssertTrue(report.errors[4].message.contains("6 columns"))
        await XCTAssertEqualAsync(try await service.store.tokens(tenant: "contoso").map(\.serial), [])
        // The good rows alone: imported together.
        let goodRows = csv.split(separator: "\n").enumerated().filter { [0, 1, 7].contains($0.offset) }.map { String($0.element) }
        let good = try await service.importHardwareTokens(csv: goodRows.joined(separator: "\n"), tenant: "contoso", admin: "admin", client: Directory.office)
        XCTAssertEqual(good.imported, ["SN-100", "SN-105"])
        await XCTAssertEqualAsync(try await service.store.tokens(tenant: "contoso").map(\.serial), ["SN-100", "SN-105"])
        await XCTAssertEqualAsync(try await service.store.token(serial: "SN-105", tenant: "contoso")?.manufacturer, "Contoso, Inc.")
        await XCTAssertThrowsErrorAsync(try await service.importHardwareTokens(csv: "serial,upn\n", tenant: "contoso", admin: "a", client: Directory.office)) {
            guard case .malformedResponse(let message) = $0 as? RegistrationError else { return XCTFail("\($0)") }
            XCTAssertTrue(message.hasPrefix("the first line must be: "), message)
        }
    }

    func testActivateWithSerialAndCodeThenDeleteReturnsItToInventory() async throws {
        let service = try await Directory.service(Directory.configuration(enabled: [.hardwareToken]))
        _ = try await service.importHardwareTokens(
            csv: "upn,serial number,secret key,time interval,manufacturer,model\nalice@contoso.com,SN-7,\(secret),30,Contoso,OTP\n",
            tenant: "contoso", admin: "admin", client: Directory.office)
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        await XCTAssertThrowsErrorAsync(try await session.activateHardwareToken(serial: "SN-7", code: "000000")) {
            XCTAssertEqual($0 as? RegistrationError, .mfaProofRejected("the code does not match token SN-7"))
        }
        await XCTAssertThrowsErrorAsync(try await session.activateHardwareToken(serial: "SN-8", code: "000000"), "not in inventory") {
            XCTAssertEqual($0 as? RegistrationError, .methodNotFound("hardware token SN-8"))
        }
        let now = Date()
        let method = try await session.activateHardwareToken(
            serial: "SN-7", code: OTPGenerator.totp(secret: Base32.decode(secret)!, time: now), now: now)
        XCTAssertEqual(method.kind, .hardwareToken)
        await XCTAssertEqualAsync(try await service.store.token(serial: "SN-7", tenant: "contoso")?.activatedMethodID, method.id)

        // The token proves MFA like an app; then the user deletes it and it returns to inventory.
        let reopened = try await ManageSession.open(
            service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office,
            proof: .oneTimeCode(methodID: method.id, code: OTPGenerator.totp(secret: Base32.decode(secret)!, time: now.addingTimeInterval(30))))
        try await reopened.delete(methodID: method.id)
        await XCTAssertNilAsync(try await service.store.token(serial: "SN-7", tenant: "contoso")?.activatedMethodID)
        await XCTAssertTrueAsync(try await reopened.methods().isEmpty)
    }
}
