import Foundation

/// Verified registration steps that span requests (a browser's pages): begin, then finish with a
/// code, the step kept in the directory in between (``StoredPendingStep``) so any server sharing
/// it can finish. A wrong code leaves the step pending under a new id (``PendingStepError``).
/// Interrupt mode offers the same steps through ``InterruptRegistration`` for the kinds its
/// decision offers; manage mode (here) for every kind the policy allows the user.
extension ManageSession {
    /// The kinds this user may add on the page besides security keys (which have their own
    /// ceremony), most secure first: what the policy enables for them and users can register.
    public var registrableKinds: [MethodKind] {
        MethodKind.allCases.filter { kind in
            kind != .fido2SecurityKey && kind.userCanRegister && configuration.methods.allows(kind, for: user)
                && (kind != .appPassword || user.mfaEnforcement == .perUserMFA)
        }.sorted { $0.securityRank > $1.securityRank }
    }

    /// A new authenticator app: its secret and otpauth URI, pending under the returned id.
    public func beginAuthenticatorAppStep(kind: MethodKind, label: String) async throws(RegistrationError)
        -> (id: String, app: PendingAuthenticatorApp)
    {
        let app = try await beginAuthenticatorApp(kind: kind, label: label)
        return (try await stash(app), app)
    }

    /// The app pending under `id`, to show again (now pending under the returned id).
    public func resumeAuthenticatorAppStep(id: String) async throws(RegistrationError) -> (id: String, app: PendingAuthenticatorApp) {
        let app = try await pendingAuthenticatorApp(id)
        return (try await stash(app), app)
    }

    /// Adds the app pending under `id` when `code` is its current code.
    public func completeAuthenticatorAppStep(id: String, code: String) async throws(PendingStepError) -> RegisteredMethod {
        let app: PendingAuthenticatorApp
        do throws(RegistrationError) { app = try await pendingAuthenticatorApp(id) } catch { throw PendingStepError(error, retryID: nil) }
        do throws(RegistrationError) {
            return try await completeAuthenticatorApp(app, code: code)
        } catch {
            throw PendingStepError(error, retryID: try? await stash(app))
        }
    }

    /// Sends a code to a new phone number or e-mail address; pending under the returned id.
    public func beginContactStep(_ kind: MethodKind, destination: String, delivery: any CodeDelivery, catalog: MessageCatalog)
        async throws(RegistrationError) -> String
    {
        try await stash(try await beginContact(kind, destination: destination, delivery: delivery, catalog: catalog))
    }

    /// Sends a code to the new number or address of an existing phone or e-mail method; the method
    /// changes only when the code comes back (``completeContactStep(id:code:)``).
    public func beginContactChange(methodID: String, destination: String, delivery: any CodeDelivery, catalog: MessageCatalog)
        async throws(RegistrationError) -> String
    {
        let method = try await find(methodID)
        guard method.kind.userCanChange else { throw .cannotChange(method.kind) }
        let pending = try await beginContact(method.kind, destination: destination, delivery: delivery, catalog: catalog)
        return try await stash(pending, changing: methodID)
    }

    /// Adds (or, for a change, changes) the contact pending under `id` when `code` is the one sent.
    public func completeContactStep(id: String, code: String) async throws(PendingStepError) -> RegisteredMethod {
        let pending: (contact: PendingContact, changing: String?)
        do throws(RegistrationError) { pending = try await pendingContact(id) } catch { throw PendingStepError(error, retryID: nil) }
        do throws(RegistrationError) {
            guard let methodID = pending.changing else { return try await completeContact(pending.contact, code: code) }
            try await checkContactCode(pending.contact, code: code)
            try await change(methodID: methodID, to: pending.contact.destination)
            return try await find(methodID)
        } catch {
            throw PendingStepError(error, retryID: try? await stash(pending.contact, changing: pending.changing))
        }
    }
}
