import Foundation
import KeyBridgeWebAuthn

/// A registration step begun in one request and finished in a later one — perhaps on another
/// server sharing the directory — kept in the directory beside the single-use challenges: the new
/// app's secret sealed with the directory's key, a contact's code only as a hash. Finishing uses
/// it up; a wrong code stashes it again under a new id.
struct StoredPendingStep: Codable {
    enum Step: String, Codable { case authenticatorApp, contact }
    var step: Step
    var kind: String
    /// The app's label or the contact's destination.
    var label: String
    var otpauthURI: String?
    var passwordless: Bool?
    var sealedSecret: [UInt8]?
    var codeHash: [UInt8]?
    /// For a contact change: the method whose number or address changes once the code is proven.
    var methodID: String?
    var expires: Date
}

extension ManageSession {
    /// Pending steps live this long (the code sent to a contact is valid as long).
    public static let pendingLifetime: TimeInterval = 600

    func stash(_ app: PendingAuthenticatorApp) async throws(RegistrationError) -> String {
        try await stash(
            StoredPendingStep(
                step: .authenticatorApp, kind: app.draftKind.rawValue, label: app.label, otpauthURI: app.otpauthURI,
                passwordless: app.requiresPasswordlessSignInInApp, sealedSecret: try service.sealer.seal(app.secret),
                expires: Date().addingTimeInterval(Self.pendingLifetime)))
    }

    func stash(_ contact: PendingContact, changing methodID: String? = nil) async throws(RegistrationError) -> String {
        try await stash(
            StoredPendingStep(
                step: .contact, kind: contact.draftKind.rawValue, label: contact.destination, codeHash: contact.codeHash,
                methodID: methodID, expires: contact.expires))
    }

    private func stash(_ step: StoredPendingStep) async throws(RegistrationError) -> String {
        let id = RandomBytes.make(16)
        let state: [UInt8]
        do { state = Array(try JSONEncoder().encode(step)) } catch { throw .store("cannot encode a pending step: \(error)") }
        try await service.store.saveChallenge(id, upn: user.upn, tenant: tenant, expires: step.expires, ceremony: state)
        return Base64URL.encode(id)
    }

    /// Takes a pending step out of the directory (once); refuses an unknown, used, expired or
    /// other user's id.
    private func unstash(_ id: String, _ expected: StoredPendingStep.Step) async throws(RegistrationError) -> StoredPendingStep {
        guard let bytes = Base64URL.decode(id), bytes.count == 16,
            let stored = try await service.store.consumeChallenge(bytes, upn: user.upn, tenant: tenant),
            let state = stored.ceremony, let step = try? JSONDecoder().decode(StoredPendingStep.self, from: Data(state)),
            step.step == expected
        else { throw .challengeUnknownOrUsed }
        guard step.expires > Date() else { throw .challengeExpired }
        return step
    }

    func pendingAuthenticatorApp(_ id: String) async throws(RegistrationError) -> PendingAuthenticatorApp {
        let step = try await unstash(id, .authenticatorApp)
        guard let kind = MethodDraft.Kind(rawValue: step.kind), let sealed = step.sealedSecret, let uri = step.otpauthURI else {
            throw .challengeUnknownOrUsed
        }
        return PendingAuthenticatorApp(
            draftKind: kind, label: step.label, otpauthURI: uri, requiresPasswordlessSignInInApp: step.passwordless ?? false,
            secret: try service.sealer.open(sealed))
    }

    /// A pending contact and, for a change, the method it changes.
    func pendingContact(_ id: String) async throws(RegistrationError) -> (contact: PendingContact, changing: String?) {
        let step = try await unstash(id, .contact)
        guard let kind = MethodDraft.Kind(rawValue: step.kind), let hash = step.codeHash else { throw .challengeUnknownOrUsed }
        return (PendingContact(id: id, draftKind: kind, destination: step.label, codeHash: hash, expires: step.expires), step.methodID)
    }
}
