import Foundation
@testable import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Interrupt mode: who must register, what is shown, what may be skipped, when to review.
final class InterruptModeTests: XCTestCase {
    func testSeedExampleSSPRNeedsTwoAppAndPhoneShownEmailOffered() {
        let decision = InterruptPlanner.decide(user: Directory.alice, configuration: Directory.configuration(), existing: [])
        XCTAssertEqual(decision.action, .register)
        XCTAssertEqual(decision.shownMethods, [.authenticatorApp, .phone], "most to least secure")
        XCTAssertEqual(decision.alternatives, [.email])
    }

    func testBothEnforcedTwoNeededFirstIsMFACapableSecondMayBeSSPROnly() {
        let configuration = Directory.configuration(enabled: [.email, .securityQuestions, .phone], ssprMethods: [.email, .securityQuestions, .phone])
        let decision = InterruptPlanner.decide(user: Directory.alice, configuration: configuration, existing: [])
        XCTAssertEqual(decision.shownMethods.first, .phone, "the first method must serve MFA")
        XCTAssertEqual(decision.shownMethods.count, 2)
        XCTAssertFalse(decision.shownMethods[1].servesMFA, "the second may be SSPR-only: \(decision.shownMethods)")
    }

    func testOnlySSPREnforcingMayBeSkipped() {
        var user = Directory.alice
        user.mfaEnforcement = .none
        let decision = InterruptPlanner.decide(user: user, configuration: Directory.configuration(), existing: [])
        XCTAssertEqual(decision.action, .registerSkippable)
    }

    func testMFAEnforcementScenariosIdentityProtectionPerUserAndConditionalAccess() {
        let configuration = Directory.configuration(ssprRequired: 1)
        for enforcement in [MFAEnforcement.identityProtection, .perUserMFA] {
            var user = Directory.alice
            user.mfaEnforcement = enforcement
            XCTAssertEqual(InterruptPlanner.decide(user: user, configuration: configuration, existing: []).action, .register)
        }
        var conditional = Directory.alice
        conditional.mfaEnforcement = .conditionalAccess
        let signIn = InterruptPlanner.decide(
            user: conditional, configuration: Directory.configuration(requireRegistration: false), existing: [])
        XCTAssertEqual(signIn.action, .none, "asked only when a resource needs MFA")
        let resource = InterruptPlanner.decide(
            user: conditional, configuration: Directory.configuration(requireRegistration: false), existing: [],
            resourceRequiresMFA: true)
        XCTAssertEqual(resource.action, .register)
    }

    func testNeverOffersFIDO2OrAlternatePhoneAndOfficePhoneOnlyWithBusinessPhone() {
        let configuration = Directory.configuration(
            enabled: [.fido2SecurityKey, .alternatePhone, .officePhone, .phone], ssprRequired: 1,
            ssprMethods: [.alternatePhone, .officePhone, .phone])
        let without = InterruptPlanner.decide(user: Directory.alice, configuration: configuration, existing: [])
        let offered = Set(without.shownMethods + without.alternatives)
        XCTAssertFalse(offered.contains(.fido2SecurityKey))
        XCTAssertFalse(offered.contains(.alternatePhone))
        XCTAssertFalse(offered.contains(.officePhone), "no business phone set")
        var withPhone = Directory.alice
        withPhone.businessPhone = "+1 555 0111"
        let with = InterruptPlanner.decide(user: withPhone, configuration: configuration, existing: [])
        XCTAssertTrue(Set(with.shownMethods + with.alternatives).contains(.officePhone))
    }

    func testScenarioPartialRegistrationAsksOnlyForWhatIsMissing() async throws {
        let service = try await Directory.service()
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        let phone = try await session.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        let decision = InterruptPlanner.decide(user: Directory.alice, configuration: Directory.configuration(), existing: [phone])
        XCTAssertEqual(decision.action, .register)
        XCTAssertEqual(decision.shownMethods, [.authenticatorApp], "MFA is met by the phone; SSPR needs one more")
        XCTAssertEqual(decision.alternatives, [.email], "I want to set up another method")
    }

    func testScenarioSetUpDuringSignInThenNothingMoreIsAsked() async throws {
        let service = try await Directory.service()
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        let plan = InterruptPlanner.decide(user: Directory.alice, configuration: Directory.configuration(), existing: [])
        for kind in plan.shownMethods { _ = try await session.add(MethodDraft(kind: XCTUnwrap(MethodDraft.Kind(kind)), displayValue: "\(kind)")) }
        let after = InterruptPlanner.decide(
            user: Directory.alice, configuration: Directory.configuration(), existing: try await session.methods(), lastReviewed: Date())
        XCTAssertEqual(after.action, .none)
    }

    func testReconfirmReviewListsEveryMethodWhenTheIntervalPassed() async throws {
        let service = try await Directory.service()
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        _ = try await session.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        _ = try await session.add(MethodDraft(kind: .authenticatorApp, displayValue: "app"))
        let methods = try await session.methods()
        let old = Date().addingTimeInterval(-200 * 86_400)
        let decision = InterruptPlanner.decide(
            user: Directory.alice, configuration: Directory.configuration(), existing: methods, lastReviewed: old)
        XCTAssertEqual(decision.action, .review)
        XCTAssertEqual(decision.reviewMethods.count, 2)
        try await session.confirmReview()
        await XCTAssertEqualAsync(try await service.store.auditEvents(tenant: "contoso").last?.action, "review")
    }
}
