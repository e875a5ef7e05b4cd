import Foundation
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Phone and e-mail verified by one-time codes sent through the outbox, and the message catalog
/// chosen by language code.
final class ContactAndMessagesTests: XCTestCase {
    func testPhoneIsAddedOnlyWithTheCodeFromTheOutbox() async throws {
        let outbox = NSTemporaryDirectory() + "kb-outbox-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: outbox) }
        let service = try await Directory.service(Directory.configuration(enabled: [.phone, .email]))
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        let pending = try await session.beginContact(
            .phone, destination: "+1 555 0100", delivery: OutboxDelivery(path: outbox), catalog: MessageCatalog(language: "de"))
        let line = try XCTUnwrap(try String(contentsOfFile: outbox, encoding: .utf8).split(separator: "\n").last)
        let entry = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        XCTAssertEqual(entry["to"], "+1 555 0100")
        XCTAssertEqual(entry["channel"], "sms")
        let message = try XCTUnwrap(entry["message"])
        XCTAssertTrue(message.hasPrefix("Ihr Bestätigungscode"), "the message is in the chosen language: \(message)")
        let code = try XCTUnwrap(message.split(separator: " ").first { $0.count == 7 && $0.hasSuffix(".") }).dropLast()

        await XCTAssertThrowsErrorAsync(try await session.completeContact(pending, code: code == "000000" ? "111111" : "000000")) {
            XCTAssertEqual($0 as? RegistrationError, .mfaProofRejected("the code is wrong"))
        }
        await XCTAssertTrueAsync(try await session.methods().isEmpty, "a wrong code stores nothing")
        let phone = try await session.completeContact(pending, code: String(code))
        XCTAssertEqual(phone.kind, .phone)
        XCTAssertEqual(phone.displayValue, "+1 555 0100")
    }

    func testCatalogsCoverTheSameMessagesAndTheLanguageIsChosenByCode() {
        XCTAssertEqual(MessageCatalog.keys("de"), MessageCatalog.keys("en"))
        XCTAssertFalse(MessageCatalog.keys("en").isEmpty)
        XCTAssertEqual(MessageCatalog(language: "de-AT").language, "de")
        XCTAssertEqual(MessageCatalog(language: "fr").language, "en", "unknown languages fall back to English")
        let german = MessageCatalog(language: "de")
        XCTAssertEqual(german.name(of: .fido2SecurityKey), "Sicherheitsschlüssel")
        XCTAssertEqual(
            german.message(for: .limitReached(.authenticatorApp, maximum: 5)),
            "Sie haben bereits die Höchstzahl an Methoden vom Typ Microsoft Authenticator.")
        XCTAssertEqual(
            MessageCatalog(language: "en").message(for: .duplicateCredential),
            "This security key is already registered.")
        XCTAssertEqual(
            german.message(for: .wrongRelyingParty),
            "Etwas ist schiefgegangen (wrongRelyingParty). Versuchen Sie es erneut oder wenden Sie sich an Ihre Administration.",
            "refusals without their own message get the generic one, never a bare key")
        for kind in MethodKind.allCases {
            XCTAssertNotEqual(german.name(of: kind), "method.\(kind.rawValue)", "\(kind) has a German name")
        }
    }
}
