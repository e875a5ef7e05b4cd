import Foundation
import KeyBridgeFIDO
@testable import KeyBridgeRegistration
import XCTest

/// Manage mode rules, the notes under the method table, and the scenarios of the document.
final class ManageModeTests: XCTestCase {
    func testNoteHardwareTokensCannotBeRegisteredByUsers() throws {
        let service = try Directory.service(Directory.configuration(enabled: [.hardwareToken]))
        let session = try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        XCTAssertThrowsError(try session.add(MethodDraft(kind: .hardwareToken, displayValue: "SN-1"))) {
            XCTAssertEqual($0 as? RegistrationError, .cannotRegister(.hardwareToken))
        }
        XCTAssertTrue(try session.methods().isEmpty)
    }

    func testNoteAlternatePhoneNeedsVoiceCallsEnabled() throws {
        var configuration = Directory.configuration(enabled: [.alternatePhone])
        configuration.methods.voiceCallsEnabled = false
        let session = try ManageSession.open(try Directory.service(configuration), upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        XCTAssertThrowsError(try session.add(MethodDraft(kind: .alternatePhone, displayValue: "+1 555 0100"))) {
            XCTAssertEqual($0 as? RegistrationError, .methodDisabled(.alternatePhone))
        }
    }

    func testNoteOfficePhoneInManageModeWithoutBusinessPhone() throws {
        let session = try ManageSession.open(
            try Directory.service(Directory.configuration(enabled: [.officePhone])), upn: Directory.alice.upn,
            tenant: "contoso", client: Directory.office)
        XCTAssertNil(Directory.alice.businessPhone)
        XCTAssertEqual(try session.add(MethodDraft(kind: .officePhone, displayValue: "+1 555 0199")).kind, .officePhone)
    }

    func testNoteAppPasswordsOnlyForPerUserMFAUsers() throws {
        var perUser = Directory.alice
        perUser.upn = "bob@contoso.com"
        perUser.mfaEnforcement = .perUserMFA
        var conditional = Directory.alice
        conditional.upn = "carol@contoso.com"
        conditional.mfaEnforcement = .conditionalAccess
        let service = try Directory.service(Directory.configuration(enabled: [.appPassword]), users: [perUser, conditional])
        let bob = try ManageSession.open(service, upn: perUser.upn, tenant: "contoso", client: Directory.office)
        XCTAssertEqual(try bob.add(MethodDraft(kind: .appPassword, displayValue: "mail client")).kind, .appPassword)
        let carol = try ManageSession.open(service, upn: conditional.upn, tenant: "contoso", client: Directory.office)
        XCTAssertThrowsError(try carol.add(MethodDraft(kind: .appPassword, displayValue: "mail client"))) {
            XCTAssertEqual($0 as? RegistrationError, .methodDisabled(.appPassword))
        }
    }

    func testNoteFIDO2KeysOnlyThroughManageModeVerification() async throws {
        let service = try Directory.service(Directory.configuration(enabled: [.fido2SecurityKey]))
        let session = try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        // No draft can describe a FIDO2 key (MethodDraft.Kind has no such case), so neither the
        // session's generic add nor the store's generic insert can take one; the only insert
        // (addFIDO2Key) needs a VerifiedFIDO2Registration, which has no public initializer, and the
        // only verifier runs inside a ManageSession, which only `open` (MFA + access rule) creates.
        XCTAssertNil(MethodDraft.Kind(.fido2SecurityKey))
        XCTAssertEqual(
            Set(MethodDraft.Kind.allCases.map(\.methodKind)), Set(MethodKind.allCases).subtracting([.fido2SecurityKey]),
            "every other kind has a draft kind, FIDO2 keys have none")
        // The manage path itself refuses a response that is not a verified registration.
        let options = try session.beginFIDO2Registration()
        let bogus = try JSONDecoder().decode(RegistrationResponseJSON.self, from: Data("""
            {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "authenticatorAttachment": "cross-platform",
             "clientExtensionResults": {}, "response": {"attestationObject": "AAAA", "authenticatorData": "AAAA",
             "transports": [], "publicKeyAlgorithm": -7}}
            """.utf8))
        do {
            _ = try await session.completeFIDO2Registration(bogus, options: options)
            XCTFail("an unverified response must be refused")
        } catch {
            XCTAssertEqual(error, .malformedResponse("clientDataJSON is missing or not JSON"))
        }
        XCTAssertTrue(try session.methods().isEmpty)
    }

    func testOpeningNeedsMFAWhenTheUserHasAnMFACapableMethodAndRefusalsAreAudited() throws {
        let service = try Directory.service()
        let first = try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        _ = try first.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        XCTAssertThrowsError(try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)) {
            XCTAssertEqual($0 as? RegistrationError, .mfaRequired)
        }
        let audit = try service.store.auditEvents(tenant: "contoso")
        XCTAssertEqual(audit.last?.action, "start")
        XCTAssertEqual(audit.last?.outcome, .failure)
        XCTAssertEqual(audit.last?.reason, "mfaRequired")
    }

    func testConditionalAccessRuleAllowsOnlyListedNetworksOrTrustedKiosks() throws {
        let rule = RegistrationAccessRule(allowedNetworks: ["10.0.0.0/8"], trustedDevices: ["hr-kiosk-1"])
        let service = try Directory.service(Directory.configuration(access: rule))
        XCTAssertNoThrow(try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office))
        XCTAssertNoThrow(
            try ManageSession.open(
                service, upn: Directory.alice.upn, tenant: "contoso", client: ClientContext(address: "203.0.113.9", device: "hr-kiosk-1")))
        XCTAssertThrowsError(
            try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: ClientContext(address: "203.0.113.9"))
        ) { error in
            guard case .accessDenied = error as? RegistrationError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try service.store.auditEvents(tenant: "contoso").last?.reason, "accessDenied")
    }

    func testScenarioSetUpFromMyAccountChangeAndDelete() throws {
        let service = try Directory.service(Directory.configuration(enabled: [.phone, .email, .authenticatorApp]))
        let session = try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        let email = try session.add(MethodDraft(kind: .email, displayValue: "alice@example.net"))
        try session.change(methodID: email.id, to: "alice@example.org")
        XCTAssertEqual(try session.methods().first?.displayValue, "alice@example.org")
        let app = try session.add(MethodDraft(kind: .authenticatorApp, displayValue: "Phone app"))
        XCTAssertThrowsError(try session.change(methodID: app.id, to: "x")) {
            XCTAssertEqual($0 as? RegistrationError, .cannotChange(.authenticatorApp))
        }
        try session.delete(methodID: email.id)
        XCTAssertEqual(try session.methods().map(\.kind), [.authenticatorApp])
        let audit = try service.store.auditEvents(tenant: "contoso").suffix(5)
        XCTAssertEqual(audit.map(\.action), ["register", "change", "register", "change", "delete"])
        XCTAssertEqual(audit.map(\.outcome), [.success, .success, .success, .failure, .success])
        XCTAssertEqual(audit.map(\.mode), Array(repeating: .manage, count: 5))
    }

    func testScenarioChangeTheDefaultMethod() throws {
        let service = try Directory.service(Directory.configuration(enabled: [.phone, .email, .authenticatorApp]))
        let session = try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        let phone = try session.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        let email = try session.add(MethodDraft(kind: .email, displayValue: "alice@example.net"))
        try session.setDefault(methodID: phone.id)
        XCTAssertEqual(try session.methods().first(where: \.isDefault)?.id, phone.id)
        XCTAssertThrowsError(try session.setDefault(methodID: email.id)) {
            XCTAssertEqual($0 as? RegistrationError, .notDefaultCapable(.email))
        }
        XCTAssertEqual(try session.methods().first(where: \.isDefault)?.id, phone.id, "a refused change keeps the default")
    }

    func testScenarioSwitchDirectoryChangesAreTenantScoped() throws {
        let service = try Directory.service()
        let home = try ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        let resource = try ManageSession.open(service, upn: Directory.alice.upn, tenant: "fabrikam", client: Directory.office)
        let homeSMS = try home.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        _ = try resource.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        try home.delete(methodID: homeSMS.id)
        XCTAssertTrue(try home.methods().isEmpty)
        XCTAssertEqual(try resource.methods().map(\.kind), [.phone], "removing it at home leaves the resource tenant alone")
        XCTAssertThrowsError(try ManageSession.open(service, upn: Directory.alice.upn, tenant: "northwind", client: Directory.office))
    }

    func testFiveConcurrentAddsOfASixthAppStillLeaveFive() throws {
        let path = NSTemporaryDirectory() + "kb-dir-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try SQLiteRegistrationStore(path: path)
        try store.save(user: Directory.alice)
        for index in 0..<4 {
            _ = try store.addMethod(MethodDraft(kind: .authenticatorApp, displayValue: "app \(index)"), upn: Directory.alice.upn, tenant: "contoso")
        }
        DispatchQueue.concurrentPerform(iterations: 5) { index in
            _ = try? store.addMethod(
                MethodDraft(kind: .authenticatorApp, displayValue: "racer \(index)"), upn: Directory.alice.upn, tenant: "contoso")
        }
        XCTAssertEqual(try store.methods(upn: Directory.alice.upn, tenant: "contoso").count, 5)
    }
}
