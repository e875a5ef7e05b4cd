import Foundation
import KeyBridgeRegistration
import XCTest

/// The remaining notes of the document (Authenticator passwordless, virtual phone numbers), the
/// admin path for contact details, and interrupt mode through the service with its audit trail.
final class NotesAndAdminTests: XCTestCase {
    func testNoteAuthenticatorPasswordlessModeAsksToEnablePasswordlessInTheApp() throws {
        var configuration = Directory.configuration(enabled: [.authenticatorApp, .otherAuthenticatorApp])
        configuration.methods.authenticatorPasswordless = true
        let session = try ManageSession.open(try Directory.service(configuration), upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        XCTAssertTrue(try session.beginAuthenticatorApp(kind: .authenticatorApp, label: "Authenticator").requiresPasswordlessSignInInApp)
        XCTAssertFalse(try session.beginAuthenticatorApp(kind: .otherAuthenticatorApp, label: "TOTP").requiresPasswordlessSignInInApp)
        XCTAssertTrue(MessageCatalog(language: "en").text("prompt.enablePasswordless").contains("passwordless"))
    }

    func testNoteVirtualPhoneNumbersAreRefusedForCallsAndTexts() throws {
        var configuration = Directory.configuration(enabled: [.phone, .email])
        configuration.methods.virtualNumberPrefixes = ["+1500"]
        let outbox = NSTemporaryDirectory() + "kb-outbox-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outbox) }
        let session = try ManageSession.open(try Directory.service(configuration), upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        XCTAssertThrowsError(try session.beginContact(.phone, destination: "+1 500 555 0100", delivery: OutboxDelivery(path: outbox))) {
            XCTAssertEqual($0 as? RegistrationError, .virtualPhoneNumber("+1 500 555 0100"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outbox), "nothing was sent")
        XCTAssertNoThrow(try session.beginContact(.phone, destination: "+1 212 555 0100", delivery: OutboxDelivery(path: outbox)))
    }

    func testAdminsRecordContactDetailsOnlyAndAreAuditedAsAdmin() throws {
        let service = try Directory.service(Directory.configuration(enabled: [.phone, .authenticatorApp]))
        let phone = try service.adminAddContact(
            MethodDraft(kind: .phone, displayValue: "+1 555 0100"), upn: Directory.alice.upn, tenant: "contoso",
            admin: "helpdesk@contoso.com", client: Directory.office)
        XCTAssertEqual(phone.kind, .phone)
        let event = try XCTUnwrap(try service.store.auditEvents(tenant: "contoso").last)
        XCTAssertEqual(event.actor, .admin)
        XCTAssertEqual(event.mode, .admin)
        XCTAssertThrowsError(
            try service.adminAddContact(
                MethodDraft(kind: .authenticatorApp, displayValue: "app"), upn: Directory.alice.upn, tenant: "contoso",
                admin: "helpdesk@contoso.com", client: Directory.office)
        ) { XCTAssertEqual($0 as? RegistrationError, .cannotRegister(.authenticatorApp)) }
    }

    func testInterruptModeIsAuditedAndAReviewResetsTheReconfirmClock() throws {
        let service = try Directory.service()
        let first = try service.interrupt(upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        XCTAssertEqual(first.action, .register)
        let event = try XCTUnwrap(try service.store.auditEvents(tenant: "contoso").last)
        XCTAssertEqual(event.mode, .interrupt)
        XCTAssertEqual(event.reason, "register")

        _ = try service.adminAddContact(
            MethodDraft(kind: .phone, displayValue: "+1 555 0100"), upn: Directory.alice.upn, tenant: "contoso", admin: "a",
            client: Directory.office)
        _ = try service.adminAddContact(
            MethodDraft(kind: .email, displayValue: "alice@example.net"), upn: Directory.alice.upn, tenant: "contoso", admin: "a",
            client: Directory.office)
        let later = Date().addingTimeInterval(200 * 86_400)
        XCTAssertEqual(try service.interrupt(upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, now: later).action, .review)
        // The review needs MFA like the security-info page: the user has a phone now.
        XCTAssertThrowsError(try service.openReview(upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)) {
            XCTAssertEqual($0 as? RegistrationError, .mfaRequired)
        }
        let pass = try service.issueTemporaryAccessPass(
            upn: Directory.alice.upn, tenant: "contoso", admin: "a", client: Directory.office)
        let review = try service.openReview(
            upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(pass.pass))
        XCTAssertEqual(try review.methods().map(\.kind), [.phone, .email], "every registered method is shown")
        try review.confirm()
        XCTAssertEqual(try service.store.auditEvents(tenant: "contoso").last?.mode, .interrupt)
        XCTAssertEqual(try service.interrupt(upn: Directory.alice.upn, tenant: "contoso", client: Directory.office).action, .none)
    }
}
