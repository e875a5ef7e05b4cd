import Foundation
import KeyBridgeOATH
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Authenticator apps: a secret generated here, its otpauth URI shown once, the app added only with
/// a correct code, the secret sealed at rest, and codes as MFA proof (no replay, rate-limited).
final class AuthenticatorAppTests: XCTestCase {
    func testAppIsAddedOnlyWithTheCurrentCodeAndItsSecretIsSealed() async throws {
        let service = try await Directory.service(Directory.configuration(enabled: [.otherAuthenticatorApp]))
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        let pending = try await session.beginAuthenticatorApp(label: "Phone")
        let uri = try OTPAuthURI(parsing: pending.otpauthURI)
        XCTAssertEqual(uri.account, Directory.alice.upn)
        XCTAssertEqual(uri.kind, .totp)
        await XCTAssertThrowsErrorAsync(try await session.completeAuthenticatorApp(pending, code: "000000")) {
            XCTAssertEqual(
                $0 as? RegistrationError, .mfaProofRejected("the code does not match the new app; check the device clock and try again"))
        }
        await XCTAssertTrueAsync(try await session.methods().isEmpty, "a wrong code stores nothing")

        let now = Date()
        let method = try await session.completeAuthenticatorApp(
            pending, code: OTPGenerator.totp(secret: uri.secret, time: now), now: now)
        XCTAssertEqual(method.kind, .otherAuthenticatorApp)
        let sealed = try await XCTUnwrapAsync(try await service.store.otpState(methodID: method.id)).sealedSecret
        XCTAssertNotEqual(sealed, uri.secret, "the secret is encrypted at rest")
        XCTAssertFalse(sealed.starts(with: uri.secret))
    }

    func testCodesProveMFAOnceAndWrongCodesAreRateLimited() async throws {
        let service = try await Directory.service(Directory.configuration(enabled: [.otherAuthenticatorApp]))
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        let pending = try await session.beginAuthenticatorApp(label: "Phone")
        let secret = try OTPAuthURI(parsing: pending.otpauthURI).secret
        let earlier = Date().addingTimeInterval(-30)
        let method = try await session.completeAuthenticatorApp(
            pending, code: OTPGenerator.totp(secret: secret, time: earlier), now: earlier)

        let code = OTPGenerator.totp(secret: secret, time: Date())
        await XCTAssertNoThrowAsync(
            try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office,
                                   proof: .oneTimeCode(methodID: method.id, code: code)))
        await XCTAssertThrowsErrorAsync(
            try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office,
                                   proof: .oneTimeCode(methodID: method.id, code: code)), "a code is accepted once"
        ) { XCTAssertEqual($0 as? RegistrationError, .mfaProofRejected("the code is wrong or was already used")) }

        // Five wrong codes in all (the replay above was the first), each refused as wrong.
        let wrong = code == "123456" ? "654321" : "123456"
        for _ in 0..<4 {
            await XCTAssertThrowsErrorAsync(
                try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office,
                                       proof: .oneTimeCode(methodID: method.id, code: wrong))
            ) { XCTAssertEqual($0 as? RegistrationError, .mfaProofRejected("the code is wrong or was already used")) }
        }
        let next = OTPGenerator.totp(secret: secret, time: Date().addingTimeInterval(30))
        await XCTAssertThrowsErrorAsync(
            try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office,
                                   proof: .oneTimeCode(methodID: method.id, code: next))
        ) { error in
            guard case .mfaProofRejected(let detail) = error as? RegistrationError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("too many"), detail)
        }
    }

    func testAtMostFiveAuthenticatorApps() async throws {
        let service = try await Directory.service(Directory.configuration(enabled: [.otherAuthenticatorApp]))
        let session = try await ManageSession.open(service, upn: Directory.alice.upn, tenant: "contoso", client: Directory.office)
        for index in 0..<5 {
            _ = try await service.store.addMethod(
                MethodDraft(kind: .otherAuthenticatorApp, displayValue: "app \(index)"), upn: Directory.alice.upn, tenant: "contoso")
        }
        let pending = try await session.beginAuthenticatorApp(label: "sixth")
        let secret = try OTPAuthURI(parsing: pending.otpauthURI).secret
        await XCTAssertThrowsErrorAsync(try await session.completeAuthenticatorApp(pending, code: OTPGenerator.totp(secret: secret, time: Date()))) {
            XCTAssertEqual($0 as? RegistrationError, .limitReached(.otherAuthenticatorApp, maximum: 5))
        }
    }
}
