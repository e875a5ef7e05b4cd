import Foundation
import KeyBridgeFIDO
import KeyBridgeRegistration
import Testing

/// A real manage-mode FIDO2 ceremony: open the security-info page, get creation options, answer
/// them with the virtual key, complete. The store behind it is wrapped in a ``CapturingStore``,
/// so the ``VerifiedFIDO2Registration`` the verifier made can be added again.
struct Enrollment {
    var method: RegisteredMethod
    var response: RegistrationResponseJSON
    var verified: VerifiedFIDO2Registration
}

func enrollKey(
    on store: any RegistrationStore, upn: String = "alice@contoso.com", tenant: String = "contoso", key: VirtualKey
) async throws -> Enrollment {
    let capturing = CapturingStore(store)
    try await capturing.save(user: Sample.user(upn, home: tenant))
    let service = RegistrationService(store: capturing, configurations: [tenant: Sample.configuration()])
    let session = try await ManageSession.open(service, upn: upn, tenant: tenant, client: ClientContext(address: "10.0.0.1"))
    let options = try await session.beginFIDO2Registration()
    let response = try key.register(options)
    let method = try await session.completeFIDO2Registration(response, friendlyName: "Blue key")
    let verified = try #require(capturing.verified.last, "the ceremony went through addFIDO2Key")
    return Enrollment(method: method, response: response, verified: verified)
}

/// A verified registration made on a scratch in-memory store, not yet in any store under test.
func verifiedRegistration(upn: String = "alice@contoso.com", key: VirtualKey) async throws -> VerifiedFIDO2Registration {
    try await enrollKey(on: SQLiteRegistrationStore(), upn: upn, key: key).verified
}
