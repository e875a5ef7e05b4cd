import Foundation
import KeyBridgeRegistration
import XCTest

/// Security questions (answers hashed) and app passwords (shown once, stored hashed, only for
/// per-user-MFA users).
final class SecretMethodTests: XCTestCase {
    func testSecurityQuestionsAreHashedAndChecked() throws {
        let service = try Directory.service(Directory.configuration(enabled: [.securityQuestions]))
        let session = try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        XCTAssertThrowsError(try session.registerSecurityQuestions([("First pet?", "Rex")]), "three are required")
        let method = try session.registerSecurityQuestions([
            ("First pet?", "Rex the Dog"), ("Birth city?", "Lisbon"), ("First school?", "Greenwood Elementary"),
        ])
        XCTAssertEqual(method.kind, .securityQuestions)
        let sealed = try XCTUnwrap(try service.store.otpState(methodID: method.id)).sealedSecret
        XCTAssertNil(String(bytes: sealed, encoding: .utf8).flatMap { $0.contains("Lisbon") ? $0 : nil }, "answers are not stored in clear")
        XCTAssertTrue(try session.checkSecurityAnswers(["Birth city?": "  lisbon ", "First pet?": "REX THE  dog"]))
        XCTAssertFalse(try session.checkSecurityAnswers(["Birth city?": "Porto"]))
        XCTAssertThrowsError(try session.registerSecurityQuestions([("a?", "one"), ("b?", "two"), ("c?", "six")])) {
            XCTAssertEqual($0 as? RegistrationError, .limitReached(.securityQuestions, maximum: 1))
        }
    }

    func testAppPasswordIsShownOnceStoredHashedAndOnlyForPerUserMFA() throws {
        var perUser = Directory.alice
        perUser.mfaEnforcement = .perUserMFA
        let service = try Directory.service(Directory.configuration(enabled: [.appPassword]), users: [perUser])
        let session = try ManageSession.open(service, upn: perUser.upn, tenant: "contoso", client: Directory.office)
        let (method, password) = try session.createAppPassword(name: "Mail client")
        XCTAssertEqual(password.count, 16)
        XCTAssertTrue(try session.checkAppPassword(id: method.id, password: password))
        XCTAssertFalse(try session.checkAppPassword(id: method.id, password: "wrongwrongwrong!"))
        let sealed = try XCTUnwrap(try service.store.otpState(methodID: method.id)).sealedSecret
        XCTAssertFalse(String(decoding: sealed, as: UTF8.self).contains(password))

        let conditional = try Directory.service(Directory.configuration(enabled: [.appPassword]))
        let other = try ManageSession.open(conditional, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        XCTAssertThrowsError(try other.createAppPassword(name: "Mail")) {
            XCTAssertEqual($0 as? RegistrationError, .methodDisabled(.appPassword))
        }
    }
}
