import KeyBridgeRegistration
import XCTest

/// One test per row of the method table: Register / Change / Delete.
final class MethodTableTests: XCTestCase {
    private func row(_ kind: MethodKind, register: Bool, change: Bool, delete: Bool, maximum: Int? = nil) {
        XCTAssertEqual(kind.userCanRegister, register, "\(kind) register")
        XCTAssertEqual(kind.userCanChange, change, "\(kind) change")
        XCTAssertEqual(kind.userCanDelete, delete, "\(kind) delete")
        XCTAssertEqual(kind.maximumPerUser, maximum, "\(kind) maximum")
    }

    func testRowMicrosoftAuthenticatorRegisterMaxFiveNoChangeDelete() { row(.authenticatorApp, register: true, change: false, delete: true, maximum: 5) }
    func testRowOtherAuthenticatorAppRegisterMaxFiveNoChangeDelete() { row(.otherAuthenticatorApp, register: true, change: false, delete: true, maximum: 5) }
    func testRowHardwareTokenDeleteOnly() { row(.hardwareToken, register: false, change: false, delete: true) }
    func testRowPhoneRegisterChangeDelete() { row(.phone, register: true, change: true, delete: true) }
    func testRowAlternatePhoneRegisterChangeDelete() { row(.alternatePhone, register: true, change: true, delete: true) }
    func testRowOfficePhoneRegisterChangeDelete() { row(.officePhone, register: true, change: true, delete: true) }
    func testRowEmailRegisterChangeDelete() { row(.email, register: true, change: true, delete: true) }
    func testRowSecurityQuestionsRegisterNoChangeDelete() { row(.securityQuestions, register: true, change: false, delete: true) }
    func testRowAppPasswordsRegisterNoChangeDelete() { row(.appPassword, register: true, change: false, delete: true) }
    func testRowFIDO2SecurityKeysRegisterNoChangeDelete() { row(.fido2SecurityKey, register: true, change: false, delete: true) }

    func testDefaultMFAMethodOnlyAmongTheFourDefaultCapableKinds() {
        XCTAssertEqual(
            Set(MethodKind.allCases.filter(\.canBeDefaultMFA)),
            [.authenticatorApp, .otherAuthenticatorApp, .hardwareToken, .phone])
    }

    func testNoteThirdPartyAuthenticatorAppsDoNotProvidePush() {
        XCTAssertTrue(MethodKind.authenticatorApp.supportsPushNotification)
        XCTAssertEqual(MethodKind.allCases.filter(\.supportsPushNotification), [.authenticatorApp])
    }

    func testEveryMethodSaysWhetherItServesMFASSPROrBoth() {
        XCTAssertTrue(MethodKind.phone.servesMFA && MethodKind.phone.servesSSPR)
        XCTAssertTrue(!MethodKind.email.servesMFA && MethodKind.email.servesSSPR)
        XCTAssertTrue(!MethodKind.securityQuestions.servesMFA && MethodKind.securityQuestions.servesSSPR)
        XCTAssertTrue(MethodKind.fido2SecurityKey.servesMFA && !MethodKind.fido2SecurityKey.servesSSPR)
        XCTAssertGreaterThan(MethodKind.fido2SecurityKey.securityRank, MethodKind.phone.securityRank)
        XCTAssertGreaterThan(MethodKind.authenticatorApp.securityRank, MethodKind.email.securityRank)
    }
}
