import Foundation
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Security questions (answers hashed) and app passwords (shown once, stored hashed, only for
/// per-user-MFA users).
final class SecretMethodTests: XCTestCase {
    func testSecurityQuestionsAreHashedAndChecked() async throws {
        let service = try await Directory.service(Directory.configuration(enabled: [.securityQuestions]))
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        await XCTAssertThrowsErrorAsync(try await session.registerSecurityQuestions([("First pet?", "Rex")]), "three are required") {
            XCTAssertEqual($0 as? RegistrationError, .malformedResponse("answer at least 3 different questions, each with 3 or more characters"))
        }
        let method = try await session.registerSecurityQuestions([
            ("First pet?", "Rex the Dog"), ("Birth city?", "Lisbon"), ("First school?", "Greenwood Elementary"),
        ])
        XCTAssertEqual(method.kind, .securityQuestions)
        let sealed = try await XCTUnwrapAsync(try await service.store.otpState(methodID: method.id)).sealedSecret
        XCTAssertNil(String(bytes: sealed, encoding: .utf8).flatMap { $0.contains("Lisbon") ? $0 : nil }, "answers are not stored in clear")
        await XCTAssertTrueAsync(try await session.checkSecurityAnswers(["Birth city?": "  lisbon ", "First pet?": "REX THE  dog"]))
        await XCTAssertFalseAsync(try await session.checkSecurityAnswers(["Birth city?": "Porto"]))
        await XCTAssertThrowsErrorAsync(try await session.registerSecurityQuestions([("a?", "one"), ("b?", "two"), ("c?", "six")])) {
            XCTAssertEqual($0 as? RegistrationError, .limitReached(.securityQuestions, maximum: 1))
        }
    }

    func testAppPasswordIsShownOnceStoredHashedAndOnlyForPerUserMFA() async throws {
        var perUser = Directory.alice
        perUser.mfaEnforcement = .perUserMFA
        let service = try await Directory.service(Directory.configuration(enabled: [.appPassword]), users: [perUser])
        let session = try await ManageSession.open(service, upn: perUser.upn, tenant: "contoso", client: Directory.office)
        let (method, password) = try await session.createAppPassword(name: "Mail client")
        XCTAssertEqual(password.count, 16)
        await XCTAssertTrueAsync(try await session.checkAppPassword(id: method.id, password: password))
        await XCTAssertFalseAsync(try await session.checkAppPassword(id: method.id, password: "wrongwrongwrong!"))
        let sealed = try await XCTUnwrapAsync(try await service.store.otpState(methodID: method.id)).sealedSecret
        XCTAssertFalse(String(decoding: sealed, as: UTF8.self).contains(password))

        let conditional = try await Directory.service(Directory.configuration(enabled: [.appPassword]))
        let other = try await ManageSession.open(conditional, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        await XCTAssertThrowsErrorAsync(try await other.createAppPassword(name: "Mail")) {
            XCTAssertEqual($0 as? RegistrationError, .methodDisabled(.appPassword))
        }
    }
}
