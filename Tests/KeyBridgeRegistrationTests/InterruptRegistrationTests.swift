import Foundation
import KeyBridgeOATH
@testable import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// The wizard's steps for a signed-in user, as the seed's example has them (SSPR needs two; app,
/// e-mail and phone enabled): only offered methods, pending steps kept in the directory, wrong
/// codes retried, skipping only where SSPR alone asks.
final class InterruptRegistrationTests: XCTestCase {
    private func signedIn(_ service: RegistrationService) async throws -> SignedInUser {
        let pass = try await service.issueTemporaryAccessPass(
            upn: Directory.alice.upn, tenant: "contoso", admin: "admin@contoso.com", client: Directory.office)
        return try await service.openUserSession(
            upn: Directory.alice.upn, tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(pass.pass)
        ).session
    }

    func testTheSeedExampleCompletesWithTheAppAndThePhone() async throws {
        let service = try await Directory.service()
        let wizard = try await InterruptRegistration.open(service, signedIn: try await signedIn(service), client: Directory.office)
        let first = try await wizard.decision()
        XCTAssertEqual(first.action, .register)
        XCTAssertEqual(first.shownMethods, [.authenticatorApp, .phone])

        // The app: a wrong code keeps the step pending under a new id; the right one adds it.
        let (id, app) = try await wizard.beginAuthenticatorApp(kind: .authenticatorApp, label: "Phone app")
        let secret = try OTPAuthURI(parsing: app.otpauthURI).secret
        var retry: String?
        do {
            _ = try await wizard.completeAuthenticatorApp(id: id, code: "000000" == OTPGenerator.totp(secret: secret, time: Date()) ? "111111" : "000000")
            XCTFail("a wrong code was accepted")
        } catch {
            guard case .mfaProofRejected = error.refusal else { return XCTFail("\(error.refusal)") }
            retry = error.retryID
        }
        let retryID = try XCTUnwrap(retry)
        XCTAssertNotEqual(retryID, id)
        let added = try await wizard.completeAuthenticatorApp(id: retryID, code: OTPGenerator.totp(secret: secret, time: Date()))
        XCTAssertEqual(added.kind, .authenticatorApp)
        do {
            _ = try await wizard.completeAuthenticatorApp(id: retryID, code: OTPGenerator.totp(secret: secret, time: Date()))
            XCTFail("a finished step was used twice")
        } catch {
            XCTAssertEqual(error.refusal, .challengeUnknownOrUsed)
            XCTAssertNil(error.retryID)
        }

        // The phone: the code goes to the outbox; a second server sharing the store finishes it.
        let outbox = FileManager.default.temporaryDirectory.appendingPathComponent("kb-outbox-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: outbox) }
        let contactID = try await wizard.beginContact(
            .phone, destination: "+1 555 0100", delivery: OutboxDelivery(path: outbox), catalog: MessageCatalog(language: "en"))
        let message = try String(contentsOfFile: outbox, encoding: .utf8)
        let code = try XCTUnwrap(message.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }.map(String.init))
        let other = RegistrationService(store: service.store, configurations: ["contoso": Directory.configuration()], sealer: service.sealer)
        let elsewhere = try await InterruptRegistration.open(other, signedIn: try await signedIn(other), client: Directory.office)
        let phone = try await elsewhere.completeContact(id: contactID, code: code)
        XCTAssertEqual(phone.displayValue, "+1 555 0100")

        let done = try await wizard.decision()
        XCTAssertEqual(done.action, .none)
        let audit = try await service.store.auditEvents(tenant: "contoso").filter { $0.action == "register" && $0.outcome == .success }
        XCTAssertEqual(audit.map(\.mode), [.interrupt, .interrupt])
    }

    func testOnlyOfferedMethodsAndSkippingOnlyWhereSSPRAloneAsks() async throws {
        let service = try await Directory.service()
        let wizard = try await InterruptRegistration.open(service, signedIn: try await signedIn(service), client: Directory.office)
        await XCTAssertThrowsErrorAsync(try await wizard.beginAuthenticatorApp(kind: .otherAuthenticatorApp, label: "x")) {
            XCTAssertEqual($0 as? RegistrationError, .cannotRegister(.otherAuthenticatorApp), "not enabled, so not offered")
        }
        await XCTAssertThrowsErrorAsync(try await wizard.skip()) { error in
            guard case .invalidInput = error as? RegistrationError else { return XCTFail("\(error)") }
        }

        var ssprOnly = Directory.alice
        ssprOnly.upn = "bob@contoso.com"
        ssprOnly.mfaEnforcement = .none
        let relaxed = try await Directory.service(users: [Directory.alice, ssprOnly])
        let pass = try await relaxed.issueTemporaryAccessPass(upn: "bob@contoso.com", tenant: "contoso", admin: "admin", client: Directory.office)
        let bob = try await relaxed.openUserSession(
            upn: "bob@contoso.com", tenant: "contoso", client: Directory.office, proof: .temporaryAccessPass(pass.pass)).session
        let bobs = try await InterruptRegistration.open(relaxed, signedIn: bob, client: Directory.office)
        await XCTAssertEqualAsync(try await bobs.decision().action, .registerSkippable)
        try await bobs.skip()
        await XCTAssertEqualAsync(try await relaxed.store.auditEvents(tenant: "contoso").last?.action, "skip")
    }
}
