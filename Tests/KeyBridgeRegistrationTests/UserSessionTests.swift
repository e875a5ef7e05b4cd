import Foundation
@testable import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Signing in opens a session kept in the directory; the session stands for the MFA proof, and
/// for nothing else: the access rule and membership are checked on every request.
final class UserSessionTests: XCTestCase {
    private func signIn(_ service: RegistrationService, now: Date = Date(), policy: UserSessionPolicy = .standard) async throws
        -> (token: String, session: SignedInUser)
    {
        let pass = try await service.issueTemporaryAccessPass(
            upn: Directory.alice.upn, tenant: "contoso", admin: "admin@contoso.com", client: Directory.office)
        return try await service.openUserSession(
            upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(pass.pass),
            userAgent: "Chromium", policy: policy, now: now)
    }

    func testATemporaryAccessPassOpensASessionThatResumesAndOpensManageMode() async throws {
        let service = try await Directory.service()
        let (token, session) = try await signIn(service)
        XCTAssertTrue(token.hasPrefix("kbs_"))
        XCTAssertEqual(session.upn, Directory.alice.upn)
        XCTAssertEqual(session.proof, "temporaryAccessPass")
        let resumed = try await service.resumeUserSession(token: token, client: Directory.office)
        XCTAssertEqual(resumed?.sessionID, session.sessionID)

        // With an MFA-capable method, opening manage mode needs a proof — the session is one.
        let manage = try await ManageSession.open(service, signedIn: try XCTUnwrap(resumed), client: Directory.office)
        _ = try await manage.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        await XCTAssertThrowsErrorAsync(
            try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        ) { XCTAssertEqual($0 as? RegistrationError, .mfaRequired) }
        let again = try await ManageSession.open(service, signedIn: try XCTUnwrap(resumed), client: Directory.office)
        await XCTAssertEqualAsync(try await again.methods().count, 1)

        let audit = try await service.store.auditEvents(tenant: "contoso")
        let signInEvent = try XCTUnwrap(audit.last { $0.action == "signIn" })
        XCTAssertEqual(signInEvent.outcome, .success)
        XCTAssertEqual(signInEvent.reason, "temporaryAccessPass")
        XCTAssertEqual(audit.last { $0.action == "start" && $0.outcome == .success }?.reason, "session: temporaryAccessPass")
    }

    func testAWrongProofOpensNoSessionAndIsAudited() async throws {
        let service = try await Directory.service()
        await XCTAssertThrowsErrorAsync(
            try await service.openUserSession(
                upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass("WRONG-PASS-1234"))
        ) { error in
            guard case .mfaProofRejected = error as? RegistrationError else { return XCTFail("\(error)") }
        }
        let last = try await service.store.auditEvents(tenant: "contoso").last
        XCTAssertEqual(last?.action, "signIn")
        XCTAssertEqual(last?.outcome, .failure)
        let removed = try await service.store.deleteEndedUserSessions(now: Date().addingTimeInterval(1e6))
        XCTAssertEqual(removed, 0, "no session was stored")
    }

    func testForgedWrongOrMalformedTokensResumeNothing() async throws {
        let service = try await Directory.service()
        let (token, _) = try await signIn(service)
        let parts = token.split(separator: "_", maxSplits: 2).map(String.init)
        for presented in ["", "kbs_", "kb_\(parts[1])_\(parts[2])", "kbs_\(parts[1])_x\(parts[2])", "kbs_000000000000000000000000_\(parts[2])",
            token + "A"]
        {
            let resumed = try await service.resumeUserSession(token: presented, client: Directory.office)
            XCTAssertNil(resumed, presented)
        }
    }

    func testIdleAndExpiredSessionsEndAndTouchingKeepsOneAlive() async throws {
        let service = try await Directory.service()
        let start = Date()
        let policy = UserSessionPolicy(idleTimeout: 600, lifetime: 3_600)
        let (token, _) = try await signIn(service, now: start, policy: policy)
        // Used every 9 minutes, it stays alive past one idle timeout...
        for minute in stride(from: 9, through: 54, by: 9) {
            let resumed = try await service.resumeUserSession(token: token, client: Directory.office, now: start.addingTimeInterval(Double(minute) * 60))
            XCTAssertNotNil(resumed, "minute \(minute)")
        }
        // ...but not past its lifetime.
        let late = try await service.resumeUserSession(token: token, client: Directory.office, now: start.addingTimeInterval(3_601))
        XCTAssertNil(late)

        let (idle, _) = try await signIn(service, now: start, policy: policy)
        let resumedIdle = try await service.resumeUserSession(token: idle, client: Directory.office, now: start.addingTimeInterval(601))
        XCTAssertNil(resumedIdle)
        let resumedAfter = try await service.resumeUserSession(token: idle, client: Directory.office, now: start.addingTimeInterval(10))
        XCTAssertNil(resumedAfter, "an ended session stays ended")

        // A later sign-in removes sessions that ended without anyone presenting them again.
        let (forgotten, forgottenSession) = try await signIn(service, now: start, policy: policy)
        _ = forgotten
        _ = try await signIn(service, now: start.addingTimeInterval(700), policy: policy)
        let stored = try await service.store.userSession(id: forgottenSession.sessionID)
        XCTAssertNil(stored, "removed from the directory")
    }

    func testTheAccessRuleIsCheckedOnEveryRequestAndSignOutEndsTheSession() async throws {
        let rule = RegistrationAccessRule(allowedNetworks: ["10.0.0.0/8"])
        let service = try await Directory.service(Directory.configuration(access: rule))
        let (token, _) = try await signIn(service)
        await XCTAssertThrowsErrorAsync(try await service.resumeUserSession(token: token, client: ClientContext(address: "203.0.113.9"))) {
            error in
            guard case .accessDenied = error as? RegistrationError else { return XCTFail("\(error)") }
        }
        let fromOffice = try await service.resumeUserSession(token: token, client: Directory.office)
        XCTAssertNotNil(fromOffice)
        try await service.closeUserSession(token: token, client: Directory.office)
        let afterSignOut = try await service.resumeUserSession(token: token, client: Directory.office)
        XCTAssertNil(afterSignOut)
        await XCTAssertEqualAsync(try await service.store.auditEvents(tenant: "contoso").last?.action, "signOut")
    }

    func testTenRejectedProofsBlockSignInEvenWithTheRightPass() async throws {
        let service = try await Directory.service()
        let pass = try await service.issueTemporaryAccessPass(
            upn: Directory.alice.upn, tenant: "contoso", admin: "admin@contoso.com", client: Directory.office)
        for _ in 0..<10 {
            await XCTAssertThrowsErrorAsync(
                try await service.openUserSession(
                    upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass("WRONG-PASS-0000")))
        }
        await XCTAssertThrowsErrorAsync(
            try await service.openUserSession(
                upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(pass.pass))
        ) { error in
            guard case .mfaProofRejected(let detail) = error as? RegistrationError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("too many failed sign-ins"), detail)
        }
        let passes = try await service.store.passes(upn: Directory.alice.upn, tenant: "contoso")
        XCTAssertEqual(passes.map(\.used), [false], "the right pass was not used up by the refused sign-in")
        let refusals = try await service.store.auditEvents(tenant: "contoso").filter { $0.action == "signIn" && $0.outcome == .failure }
        XCTAssertEqual(refusals.count, 11, "every refused sign-in is audited, the blocked one too")
    }

    func testSessionPolicyRangesAreChecked() {
        XCTAssertThrowsError(try UserSessionPolicy(idleTimeout: 10).validated())
        XCTAssertThrowsError(try UserSessionPolicy(idleTimeout: 600, lifetime: 300).validated())
        XCTAssertThrowsError(try UserSessionPolicy(idleTimeout: 600, lifetime: 31 * 86_400).validated())
        XCTAssertNoThrow(try UserSessionPolicy(idleTimeout: 600, lifetime: 3_600).validated())
    }
}
