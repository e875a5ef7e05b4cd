import Foundation
import KeyBridgeFIDO
@testable import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Manage mode rules, the notes under the method table, and the scenarios of the document.
final class ManageModeTests: XCTestCase {
    func testNoteHardwareTokensCannotBeRegisteredByUsers() async throws {
        let service = try await Directory.service(Directory.configuration(enabled: [.hardwareToken]))
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        await XCTAssertThrowsErrorAsync(try await session.add(MethodDraft(kind: .hardwareToken, displayValue: "SN-1"))) {
            XCTAssertEqual($0 as? RegistrationError, .cannotRegister(.hardwareToken))
        }
        await XCTAssertTrueAsync(try await session.methods().isEmpty)
    }

    func testNoteAlternatePhoneNeedsVoiceCallsEnabled() async throws {
        var configuration = Directory.configuration(enabled: [.alternatePhone])
        configuration.methods.voiceCallsEnabled = false
        let session = try await ManageSession.open(try Directory.service(configuration), upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        await XCTAssertThrowsErrorAsync(try await session.add(MethodDraft(kind: .alternatePhone, displayValue: "+1 555 0100"))) {
            XCTAssertEqual($0 as? RegistrationError, .methodDisabled(.alternatePhone))
        }
    }

    func testNoteOfficePhoneInManageModeWithoutBusinessPhone() async throws {
        let session = try await ManageSession.open(
            try Directory.service(Directory.configuration(enabled: [.officePhone])), upn: Directory.alice.upn,
            tenant: "contoso", client: Directory.office)
        XCTAssertNil(Directory.alice.businessPhone)
        await XCTAssertEqualAsync(try await session.add(MethodDraft(kind: .officePhone, displayValue: "+1 555 0199")).kind, .officePhone)
    }

    func testNoteAppPasswordsOnlyForPerUserMFAUsers() async throws {
        var perUser = Directory.alice
        perUser.upn = "bob@contoso.com"
        perUser.mfaEnforcement = .perUserMFA
        var conditional = Directory.alice
        conditional.upn = "carol@contoso.com"
        conditional.mfaEnforcement = .conditionalAccess
        let service = try await Directory.service(Directory.configuration(enabled: [.appPassword]), users: [perUser, conditional])
        let bob = try await ManageSession.open(service, upn: perUser.upn, tenant: "contoso", client: Directory.office)
        await XCTAssertEqualAsync(try await bob.add(MethodDraft(kind: .appPassword, displayValue: "mail client")).kind, .appPassword)
        let carol = try await ManageSession.open(service, upn: conditional.upn, tenant: "contoso", client: Directory.office)
        await XCTAssertThrowsErrorAsync(try await carol.add(MethodDraft(kind: .appPassword, displayValue: "mail client"))) {
            XCTAssertEqual($0 as? RegistrationError, .methodDisabled(.appPassword))
        }
    }

    func testNoteFIDO2KeysOnlyThroughManageModeVerification() async throws {
        let service = try await Directory.service(Directory.configuration(enabled: [.fido2SecurityKey]))
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        // No draft can describe a FIDO2 key (MethodDraft.Kind has no such case), so neither the
        // session's generic add nor the store's generic insert can take one; the only insert
        // (addFIDO2Key) needs a VerifiedFIDO2Registration, which has no public initializer, and the
        // only verifier runs inside a ManageSession, which only `open` (MFA + access rule) creates.
        XCTAssertNil(MethodDraft.Kind(.fido2SecurityKey))
        XCTAssertEqual(
            Set(MethodDraft.Kind.allCases.map(\.methodKind)), Set(MethodKind.allCases).subtracting([.fido2SecurityKey]),
            "every other kind has a draft kind, FIDO2 keys have none")
        // The manage path itself refuses a response that is not a verified registration.
        _ = try await session.beginFIDO2Registration()
        let bogus = try JSONDecoder().decode(RegistrationResponseJSON.self, from: Data("""
            {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "authenticatorAttachment": "cross-platform",
             "clientExtensionResults": {}, "response": {"attestationObject": "AAAA", "authenticatorData": "AAAA",
             "transports": [], "publicKeyAlgorithm": -7}}
            """.utf8))
        do {
            _ = try await session.completeFIDO2Registration(bogus)
            XCTFail("an unverified response must be refused")
        } catch {
            XCTAssertEqual(error, .malformedResponse("clientDataJSON is missing, not JSON, or has no challenge"))
        }
        await XCTAssertTrueAsync(try await session.methods().isEmpty)
    }

    func testOpeningNeedsMFAWhenTheUserHasAnMFACapableMethodAndRefusalsAreAudited() async throws {
        let service = try await Directory.service()
        let first = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        _ = try await first.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        await XCTAssertThrowsErrorAsync(try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)) {
            XCTAssertEqual($0 as? RegistrationError, .mfaRequired)
        }
        let audit = try await service.store.auditEvents(tenant: "contoso")
        XCTAssertEqual(audit.last?.action, "start")
        XCTAssertEqual(audit.last?.outcome, .failure)
        XCTAssertEqual(audit.last?.reason, "mfaRequired")
    }

    func testConditionalAccessRuleAllowsOnlyListedNetworksOrTrustedKiosks() async throws {
        let rule = RegistrationAccessRule(allowedNetworks: ["10.0.0.0/8"], trustedDevices: ["hr-kiosk-1"], allowFirstRegistrationWithoutProof: true)
        let service = try await Directory.service(Directory.configuration(access: rule))
        await XCTAssertNoThrowAsync(try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office))
        await XCTAssertNoThrowAsync(
            try await ManageSession.open(
                service, upn: Directory.alice.upn, tenant: "contoso", client: ClientContext(address: "203.0.113.9", device: "hr-kiosk-1")))
        await XCTAssertThrowsErrorAsync(
            try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: ClientContext(address: "203.0.113.9"))
        ) { error in
            guard case .accessDenied = error as? RegistrationError else { return XCTFail("\(error)") }
        }
        await XCTAssertEqualAsync(try await service.store.auditEvents(tenant: "contoso").last?.reason, "accessDenied")
    }

    func testScenarioSetUpFromMyAccountChangeAndDelete() async throws {
        let service = try await Directory.service(Directory.configuration(enabled: [.phone, .email, .authenticatorApp]))
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        let email = try await session.add(MethodDraft(kind: .email, displayValue: "alice@example.net"))
        try await session.change(methodID: email.id, to: "alice@example.org")
        await XCTAssertEqualAsync(try await session.methods().first?.displayValue, "alice@example.org")
        let app = try await session.add(MethodDraft(kind: .authenticatorApp, displayValue: "Phone app"))
        await XCTAssertThrowsErrorAsync(try await session.change(methodID: app.id, to: "x")) {
            XCTAssertEqual($0 as? RegistrationError, .cannotChange(.authenticatorApp))
        }
        try await session.delete(methodID: email.id)
        await XCTAssertEqualAsync(try await session.methods().map(\.kind), [.authenticatorApp])
        let audit = try await service.store.auditEvents(tenant: "contoso").suffix(5)
        XCTAssertEqual(audit.map(\.action), ["register", "change", "register", "change", "delete"])
        XCTAssertEqual(audit.map(\.outcome), [.success, .success, .success, .failure, .success])
        XCTAssertEqual(audit.map(\.mode), Array(repeating: .manage, count: 5))
    }

    func testScenarioChangeTheDefaultMethod() async throws {
        let service = try await Directory.service(Directory.configuration(enabled: [.phone, .email, .authenticatorApp]))
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        let phone = try await session.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        let email = try await session.add(MethodDraft(kind: .email, displayValue: "alice@example.net"))
        try await session.setDefault(methodID: phone.id)
        await XCTAssertEqualAsync(try await session.methods().first(where: \.isDefault)?.id, phone.id)
        await XCTAssertThrowsErrorAsync(try await session.setDefault(methodID: email.id)) {
            XCTAssertEqual($0 as? RegistrationError, .notDefaultCapable(.email))
        }
        await XCTAssertEqualAsync(try await session.methods().first(where: \.isDefault)?.id, phone.id, "a refused change keeps the default")
    }

    func testScenarioSwitchDirectoryChangesAreTenantScoped() async throws {
        let service = try await Directory.service()
        let home = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        let resource = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "fabrikam", client: Directory.office)
        let homeSMS = try await home.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        _ = try await resource.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        try await home.delete(methodID: homeSMS.id)
        await XCTAssertTrueAsync(try await home.methods().isEmpty)
        await XCTAssertEqualAsync(try await resource.methods().map(\.kind), [.phone], "removing it at home leaves the resource tenant alone")
        await XCTAssertThrowsErrorAsync(try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "northwind", client: Directory.office)) {
            XCTAssertEqual($0 as? RegistrationError, .notAMember(tenant: "northwind"))
        }
    }

    func testFiveConcurrentAddsOfASixthAppStillLeaveFive() async throws {
        let path = NSTemporaryDirectory() + "kb-dir-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try SQLiteRegistrationStore(path: path)
        try await store.save(user: Directory.alice)
        for index in 0..<4 {
            _ = try await store.addMethod(MethodDraft(kind: .authenticatorApp, displayValue: "app \(index)"), upn: Directory.alice.upn, tenant: "contoso")
        }
        // In one process here; CrossProcessRaceTests races keybridge processes through the whole command.
        let refusals = await withTaskGroup(of: RegistrationError?.self) { group in
            for index in 0..<5 {
                group.addTask {
                    do {
                        _ = try await store.addMethod(
                            MethodDraft(kind: .authenticatorApp, displayValue: "racer \(index)"), upn: Directory.alice.upn, tenant: "contoso")
                        return nil
                    } catch { return error as? RegistrationError ?? .store("\(error)") }
                }
            }
            var refusals: [RegistrationError?] = []
            for await outcome in group { refusals.append(outcome) }
            return refusals.compactMap { $0 }
        }
        XCTAssertEqual(refusals, Array(repeating: RegistrationError.limitReached(.authenticatorApp, maximum: 5), count: 4))
        await XCTAssertEqualAsync(try await store.methods(upn: Directory.alice.upn, tenant: "contoso").count, 5)
    }
}
