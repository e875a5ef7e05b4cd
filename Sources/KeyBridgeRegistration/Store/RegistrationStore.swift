import Foundation

/// Where the directory, security info, challenges and the audit log live. The SQLite store is
/// the default; the shape keeps a PostgreSQL store possible (no SQLite-only types cross it).
///
/// There is deliberately no way to insert a FIDO2 key except ``addFIDO2Key(_:)``, which takes a
/// ``VerifiedFIDO2Registration`` — a value only a manage session's verifier can create.
public protocol RegistrationStore: Sendable {
    /// Adds a tenant or renames it (its configuration is kept).
    func save(tenant: Tenant) throws(RegistrationError)
    func tenants() throws(RegistrationError) -> [Tenant]
    /// Replaces a tenant's policies; the tenant must exist.
    func save(configuration: TenantConfiguration, tenant: String) throws(RegistrationError)
    func configuration(tenant: String) throws(RegistrationError) -> TenantConfiguration?
    func save(user: DirectoryUser) throws(RegistrationError)
    func user(upn: String) throws(RegistrationError) -> DirectoryUser?
    func users() throws(RegistrationError) -> [DirectoryUser]
    func methods(upn: String, tenant: String) throws(RegistrationError) -> [RegisteredMethod]
    /// Adds a non-FIDO2 method (with its sealed OTP secret, if any); the per-kind limit is checked
    /// in the same transaction.
    func addMethod(_ draft: MethodDraft, upn: String, tenant: String, sealedSecret: [UInt8]?) throws(RegistrationError)
        -> RegisteredMethod
    /// The sealed OTP secret of a method and the last time step a code was accepted for.
    func otpState(methodID: String) throws(RegistrationError) -> (sealedSecret: [UInt8], lastStep: UInt64?)?
    /// Records the time step of an accepted code (replay protection).
    func setOTPStep(methodID: String, step: UInt64) throws(RegistrationError)
    /// Adds a FIDO2 key that a manage session verified, with its audit entry, in one transaction;
    /// refuses a credential id already stored.
    func addFIDO2Key(_ registration: VerifiedFIDO2Registration, audit: AuditEvent) throws(RegistrationError) -> RegisteredMethod
    func changeMethod(id: String, upn: String, tenant: String, displayValue: String) throws(RegistrationError)
    func deleteMethod(id: String, upn: String, tenant: String) throws(RegistrationError)
    func setDefault(id: String, upn: String, tenant: String) throws(RegistrationError)
    func updateSignCount(methodID: String, to count: UInt32) throws(RegistrationError)
    /// Remembers a single-use challenge until `expires`.
    func saveChallenge(_ challenge: [UInt8], upn: String, tenant: String, expires: Date) throws(RegistrationError)
    /// Removes and returns a challenge's expiry; nil when it is unknown or was used.
    func consumeChallenge(_ challenge: [UInt8], upn: String, tenant: String) throws(RegistrationError) -> Date?
    func save(token: HardwareToken) throws(RegistrationError)
    func token(serial: String, tenant: String) throws(RegistrationError) -> HardwareToken?
    func tokens(tenant: String) throws(RegistrationError) -> [HardwareToken]
    /// Links an inventory token to its security-info method (nil returns it to inventory).
    func assignToken(serial: String, tenant: String, methodID: String?) throws(RegistrationError)
    func save(pass: StoredAccessPass) throws(RegistrationError)
    func passes(upn: String, tenant: String) throws(RegistrationError) -> [StoredAccessPass]
    /// Marks an unused pass used; false when it was already used (so a one-time pass works once).
    func markPassUsed(id: String) throws(RegistrationError) -> Bool
    /// Remembers a wrong one-time code for `key` (a user, or a user's contact check).
    func recordFailedAttempt(key: String, time: Date) throws(RegistrationError)
    func failedAttempts(key: String, since: Date) throws(RegistrationError) -> Int
    func clearFailedAttempts(key: String) throws(RegistrationError)
    func append(_ event: AuditEvent) throws(RegistrationError)
    func auditEvents(tenant: String?) throws(RegistrationError) -> [AuditEvent]
}

extension RegistrationStore {
    /// Adds a method that has no secret.
    public func addMethod(_ draft: MethodDraft, upn: String, tenant: String) throws(RegistrationError) -> RegisteredMethod {
        try addMethod(draft, upn: upn, tenant: tenant, sealedSecret: nil)
    }
}
