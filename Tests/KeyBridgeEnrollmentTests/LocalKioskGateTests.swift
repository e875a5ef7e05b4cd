import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration
import Testing

/// The local kiosk under the gate's default: a hire with no method needs no pass for MFA, but a
/// first registration needs one; the signed-in operator issues it for that opening alone.
@Suite("Local kiosk: a first registration under the default gate")
struct LocalKioskGateTests {
    let hire = DirectoryUser(upn: "nina@contoso.com", displayName: "Nina", homeTenant: "contoso", mfaEnforcement: .identityProtection)
    let kiosk = ClientContext(address: "10.0.0.5", device: "hr-kiosk-1")

    @Test("The operator's one-off pass opens the hire's security info and is deleted right after")
    func theOperatorsPassOpensAndIsDeleted() async throws {
        let store = try SQLiteRegistrationStore()
        try await store.save(tenant: Tenant(id: "contoso", name: "Contoso"))
        try await store.save(user: hire)
        var configuration = TenantConfiguration.standard(
            relyingParty: RelyingParty(id: "contoso.com", name: "Contoso"), origin: "https://login.contoso.com")
        configuration.methods.temporaryAccessPassOneTime = false
        let service = RegistrationService(store: store, configurations: ["contoso": configuration])
        let directory = LocalKioskDirectory(service: service, tenant: "contoso", client: kiosk)

        let newHire = try await directory.newHire(upn: hire.upn)
        #expect(newHire.needsPass == false, "no MFA method, so nothing for the hire to type")
        await #expect(throws: RegistrationError.temporaryAccessPassRequired) {
            _ = try await ManageSession.open(service, upn: hire.upn, tenant: "contoso", client: kiosk)
        }
        let session = try await directory.openEnrollment(for: newHire, pass: nil, operatorUPN: "hr@contoso.com")
        #expect(session.directory is ManageSession)
        #expect(try await store.passes(upn: hire.upn, tenant: "contoso").isEmpty, "the reusable pass does not outlive the opening")
        let actions = try await store.auditEvents(tenant: "contoso").map { "\($0.action):\($0.outcome)" }
        #expect(actions.suffix(3) == ["issueTemporaryAccessPass:success", "start:success", "deleteTemporaryAccessPass:success"], "\(actions)")
    }
}
