import Foundation
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// The remaining notes of the document (Authenticator passwordless, virtual phone numbers), the
/// admin path for contact details, and interrupt mode through the service with its audit trail.
final class NotesAndAdminTests: XCTestCase {
    func testNoteAuthenticatorPasswordlessModeAsksToEnablePasswordlessInTheApp() async throws {
        var configuration = Directory.configuration(enabled: [.authenticatorApp, .otherAuthenticatorApp])
        configuration.methods.authenticatorPasswordless = true
        let session = try await ManageSession.open(try Directory.service(configuration), upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        await XCTAssertTrueAsync(try await session.beginAuthenticatorApp(kind: .authenticatorApp, label: "Authenticator").requiresPasswordlessSignInInApp)
        await XCTAssertFalseAsync(try await session.beginAuthenticatorApp(kind: .otherAuthenticatorApp, label: "TOTP").requiresPasswordlessSignInInApp)
        XCTAssertTrue(MessageCatalog(language: "en").text("prompt.enablePasswordless").contains("passwordless"))
    }

    func testNoteVirtualPhoneNumbersAreRefusedForCallsAndTexts() async throws {
        var configuration = Directory.configuration(enabled: [.phone, .email])
        configuration.methods.virtualNumberPrefixes = ["+1500"]
        let outbox = NSTemporaryDirectory() + "kb-outbox-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outbox) }
        let session = try await ManageSession.open(try Directory.service(configuration), upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        await XCTAssertThrowsErrorAsync(try await session.beginContact(.phone, destination: "+1 500 555 0100", delivery: OutboxDelivery(path: outbox))) {
            XCTAssertEqual($0 as? RegistrationError, .virtualPhoneNumber("+1 500 555 0100"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outbox), "nothing was sent")
        await XCTAssertNoThrowAsync(try await session.beginContact(.phone, destination: "+1 212 555 0100", delivery: OutboxDelivery(path: outbox)))
    }

    func testAdminsRecordContactDetailsOnlyAndAreAuditedAsAdmin() async throws {
        let service = try await Directory.service(Directory.configuration(enabled: [.phone, .authenticatorApp]))
        let phone = try await service.adminAddContact(
            MethodDraft(kind: .phone, displayValue: "+1 555 0100"), upn: Directory.alice.upn, tenant: "contoso",
            admin: "helpdesk@contoso.com", client: Directory.office)
        XCTAssertEqual(phone.kind, .phone)
        let event = try await XCTUnwrapAsync(try await service.store.auditEvents(tenant: "contoso").last)
        XCTAssertEqual(event.actor, .admin)
        XCTAssertEqual(event.mode, .admin)
        await XCTAssertThrowsErrorAsync(
            try await service.adminAddContact(
                MethodDraft(kind: .authenticatorApp, displayValue: "app"), upn: Directory.alice.upn, tenant: "contoso",
                admin: "helpdesk@contoso.com", client: Directory.office)
        ) { XCTAssertEqual($0 as? RegistrationError, .cannotRegister(.authenticatorApp)) }
    }

    func testInterruptModeIsAuditedAndAReviewResetsTheReconfirmClock() async throws {
        let service = try await Directory.service()
        let first = try await service.interrupt(upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        XCTAssertEqual(first.action, .register)
        let event = try await XCTUnwrapAsync(try await service.store.auditEvents(tenant: "contoso").last)
        XCTAssertEqual(event.mode, .interrupt)
        XCTAssertEqual(event.reason, "register")

        _ = try await service.adminAddContact(
            MethodDraft(kind: .phone, displayValue: "+1 555 0100"), upn: Directory.alice.upn, tenant: "contoso", admin: "a",
            client: Directory.office)
        _ = try await service.adminAddContact(
            MethodDraft(kind: .email, displayValue: "alice@example.net"), upn: Directory.alice.upn, tenant: "contoso", admin: "a",
            client: Directory.office)
        let later = Date().addingTimeInterval(200 * 86_400)
        await XCTAssertEqualAsync(try await service.interrupt(upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, now: later).action, .review)
        // The review needs MFA like the security-info page: the user has a phone now.
        await XCTAssertThrowsErrorAsync(try await service.openReview(upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)) {
            XCTAssertEqual($0 as? RegistrationError, .mfaRequired)
        }
        let pass = try await service.issueTemporaryAccessPass(
            upn: Directory.alice.upn, tenant: "contoso", admin: "a", client: Directory.office)
        let review = try await service.openReview(
            upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(pass.pass))
        await XCTAssertEqualAsync(try await review.methods().map(\.kind), [.phone, .email], "every registered method is shown")
        try await review.confirm()
        await XCTAssertEqualAsync(try await service.store.auditEvents(tenant: "contoso").last?.mode, .interrupt)
        await XCTAssertEqualAsync(try await service.interrupt(upn: Directory.alice.upn, tenant: "contoso", client: Directory.office).action, .none)
    }
}
