import Foundation
@testable import KeyBridgeRegistration
import Testing

/// Security-info methods other than FIDO2 keys (those are in ``FIDO2ContractTests``).
@Suite("Methods: adding, limits, OTP steps, changes and the default")
struct MethodContractTests {
    let alice = "alice@contoso.com"

    @Test("Methods are listed oldest first, per user and per tenant", arguments: StoreKind.allCases)
    func methodsAreListedOldestFirstPerUserAndTenant(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let phone = try await store.addMethod(MethodDraft(kind: .phone, displayValue: "+1 555 0100"), upn: alice, tenant: "contoso")
            let email = try await store.addMethod(
                MethodDraft(kind: .email, displayValue: "alice@example.org", friendlyName: "Home"), upn: alice, tenant: "contoso")
            let app = try await store.addMethod(Sample.app(), upn: alice, tenant: "contoso")
            _ = try await store.addMethod(MethodDraft(kind: .phone, displayValue: "+1 555 0199"), upn: alice, tenant: "fabrikam")
            _ = try await store.addMethod(MethodDraft(kind: .phone, displayValue: "+1 555 0142"), upn: "bob@contoso.com", tenant: "contoso")

            let listed = try await store.methods(upn: alice, tenant: "contoso")
            #expect(listed.map(\.id) == [phone.id, email.id, app.id])
            #expect(sameMethods(listed, [phone, email, app]), "what addMethod returned is what is stored")
            #expect(listed[1].friendlyName == "Home")
            #expect(listed.allSatisfy { !$0.isDefault && $0.fido2 == nil && $0.tenant == "contoso" && $0.upn == alice })
            #expect(try await store.methods(upn: alice, tenant: "fabrikam").map(\.displayValue) == ["+1 555 0199"])
            #expect(try await store.methods(upn: alice, tenant: "adatum").isEmpty)
        }
    }

    @Test("A sixth authenticator app is refused with limitReached and stores nothing", arguments: StoreKind.allCases)
    func aSixthAuthenticatorAppIsRefused(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            for index in 1...5 { _ = try await store.addMethod(Sample.app("App \(index)"), upn: alice, tenant: "contoso") }
            await expectRefusal(.limitReached(.authenticatorApp, maximum: 5)) {
                try await store.addMethod(Sample.app("App 6"), upn: alice, tenant: "contoso", sealedSecret: [1, 2, 3])
            }
            #expect(try await store.methods(upn: alice, tenant: "contoso").count == 5)
            // The limit is per kind, per user, per tenant.
            _ = try await store.addMethod(
                MethodDraft(kind: .otherAuthenticatorApp, displayValue: "Other"), upn: alice, tenant: "contoso")
            _ = try await store.addMethod(Sample.app("App 6"), upn: alice, tenant: "fabrikam")
            _ = try await store.addMethod(Sample.app("Bob's"), upn: "bob@contoso.com", tenant: "contoso")
            #expect(try await store.methods(upn: alice, tenant: "contoso").count == 6)
        }
    }

    @Test("The OTP state holds the sealed secret and the last accepted step, which only moves forward", arguments: StoreKind.allCases)
    func otpStateAndStepsMoveOnlyForward(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let secret: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0xFF]
            let app = try await store.addMethod(Sample.app(), upn: alice, tenant: "contoso", sealedSecret: secret)
            let state = try #require(try await store.otpState(methodID: app.id))
            #expect(state.sealedSecret == secret)
            #expect(state.lastStep == nil)

            #expect(try await store.advanceOTPStep(methodID: app.id, to: 1_000) == true)
            #expect(try await store.advanceOTPStep(methodID: app.id, to: 1_000) == false, "the same step is a replay")
            #expect(try await store.advanceOTPStep(methodID: app.id, to: 999) == false, "an earlier step is a replay")
            #expect(try await store.advanceOTPStep(methodID: app.id, to: 1_001) == true)
            #expect(try await store.otpState(methodID: app.id)?.lastStep == 1_001)

            let phone = try await store.addMethod(MethodDraft(kind: .phone, displayValue: "+1 555 0100"), upn: alice, tenant: "contoso")
            #expect(try await store.otpState(methodID: phone.id) == nil, "a method without a secret has no OTP state")
            #expect(try await store.otpState(methodID: "no-such-method") == nil)
        }
    }

    @Test("Change and delete act only on the user's own method in the tenant", arguments: StoreKind.allCases)
    func changeAndDeleteRefuseAMethodOfAnotherUserOrTenant(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let phone = try await store.addMethod(MethodDraft(kind: .phone, displayValue: "+1 555 0100"), upn: alice, tenant: "contoso")
            try await store.changeMethod(id: phone.id, upn: alice, tenant: "contoso", displayValue: "+1 555 0111")
            #expect(try await store.methods(upn: alice, tenant: "contoso").map(\.displayValue) == ["+1 555 0111"])

            await expectRefusal(.methodNotFound(phone.id)) {
                try await store.changeMethod(id: phone.id, upn: "bob@contoso.com", tenant: "contoso", displayValue: "x")
            }
            await expectRefusal(.methodNotFound(phone.id)) {
                try await store.changeMethod(id: phone.id, upn: alice, tenant: "fabrikam", displayValue: "x")
            }
            await expectRefusal(.methodNotFound(phone.id)) {
                try await store.deleteMethod(id: phone.id, upn: "bob@contoso.com", tenant: "contoso")
            }
            await expectRefusal(.methodNotFound("missing")) {
                try await store.deleteMethod(id: "missing", upn: alice, tenant: "contoso")
            }
            #expect(try await store.methods(upn: alice, tenant: "contoso").map(\.displayValue) == ["+1 555 0111"])

            try await store.deleteMethod(id: phone.id, upn: alice, tenant: "contoso")
            #expect(try await store.methods(upn: alice, tenant: "contoso").isEmpty)
            await expectRefusal(.methodNotFound(phone.id)) {
                try await store.deleteMethod(id: phone.id, upn: alice, tenant: "contoso")
            }
        }
    }

    @Test("setDefault leaves exactly one default, and an unknown method changes nothing", arguments: StoreKind.allCases)
    func setDefaultLeavesExactlyOneDefault(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let phone = try await store.addMethod(MethodDraft(kind: .phone, displayValue: "+1 555 0100"), upn: alice, tenant: "contoso")
            let app = try await store.addMethod(Sample.app(), upn: alice, tenant: "contoso")
            let elsewhere = try await store.addMethod(Sample.app(), upn: alice, tenant: "fabrikam")
            try await store.setDefault(id: elsewhere.id, upn: alice, tenant: "fabrikam")

            try await store.setDefault(id: phone.id, upn: alice, tenant: "contoso")
            #expect(try await store.methods(upn: alice, tenant: "contoso").filter(\.isDefault).map(\.id) == [phone.id])
            try await store.setDefault(id: app.id, upn: alice, tenant: "contoso")
            #expect(try await store.methods(upn: alice, tenant: "contoso").filter(\.isDefault).map(\.id) == [app.id])

            await expectRefusal(.methodNotFound("missing")) { try await store.setDefault(id: "missing", upn: alice, tenant: "contoso") }
            await expectRefusal(.methodNotFound(elsewhere.id)) {
                try await store.setDefault(id: elsewhere.id, upn: alice, tenant: "contoso")
            }
            #expect(
                try await store.methods(upn: alice, tenant: "contoso").filter(\.isDefault).map(\.id) == [app.id],
                "a refused setDefault changed nothing")
            #expect(try await store.methods(upn: alice, tenant: "fabrikam").filter(\.isDefault).map(\.id) == [elsewhere.id])
        }
    }
}
