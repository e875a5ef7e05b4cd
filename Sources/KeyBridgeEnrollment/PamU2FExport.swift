import Foundation
import KeyBridgeFIDO
import KeyBridgeRegistration

/// A user's keys as one pam_u2f authfile line: every ES256/RS256 key of the user in the tenant
/// (pam_u2f reads only a login's last line), the tenant's relying party as pam_u2f's `origin=`,
/// and the keys pam_u2f 1.1 cannot use named rather than silently dropped.
public struct PamU2FExport: Sendable, Equatable {
    public struct Skipped: Sendable, Equatable, Encodable {
        public var credentialId: String
        public var reason: String
    }

    public var login: String
    /// The relying party id, which pam_u2f must be given as `origin=`.
    public var origin: String
    public var line: String
    public var credentials: Int
    public var skipped: [Skipped]

    /// Builds the line for `upn` in `tenant`. `login` defaults to the UPN's part before `@`;
    /// `pin` and `verification` add pam_u2f's `+pin` and `+verification` options.
    public static func build(
        service: RegistrationService, upn: String, tenant: String, login: String?, pin: Bool, verification: Bool
    ) async throws(RegistrationError) -> PamU2FExport {
        guard try await service.store.user(upn: upn)?.isMember(of: tenant) == true else { throw .userNotFound(upn) }
        let origin = try await service.configuration(tenant).relyingParty.id
        let options = "+presence" + (verification ? "+verification" : "") + (pin ? "+pin" : "")
        var credentials: [PamU2FCredential] = []
        var skipped: [Skipped] = []
        for key in try await service.store.methods(upn: upn, tenant: tenant).compactMap(\.fido2) {
            do {
                credentials.append(try PamU2FAuthfile.credential(cose: key.publicKeyCOSE, credentialID: key.credentialID, options: options))
            } catch {
                skipped.append(Skipped(credentialId: Base64URL.encode(key.credentialID), reason: "\(error)"))
            }
        }
        guard !credentials.isEmpty else { throw .methodNotFound("a security key of \(upn) in \(tenant) that pam_u2f can use") }
        let name = login ?? String(upn.prefix { $0 != "@" })
        do {
            let line = try PamU2FAuthfile.line(login: name, credentials: credentials)
            return PamU2FExport(login: name, origin: origin, line: line, credentials: credentials.count, skipped: skipped)
        } catch {
            throw .invalidInput("\"\(name)\" cannot be a login in an authfile (no ':', ',' or spaces)")
        }
    }
}
