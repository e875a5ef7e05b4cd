import Foundation
import KeyBridgeRegistration

/// A store that passes every call on to `base` and keeps each ``VerifiedFIDO2Registration`` the
/// manage session's verifier hands to ``addFIDO2Key(_:audit:)`` — the only way a test can hold
/// one (its initializer is the verifier's), so it can be added again, concurrently, elsewhere.
final class CapturingStore: RegistrationStore, @unchecked Sendable {
    let base: any RegistrationStore
    private let lock = NSLock()
    private var registrations: [VerifiedFIDO2Registration] = []

    init(_ base: any RegistrationStore) { self.base = base }

    /// The registrations verified so far, oldest first.
    var verified: [VerifiedFIDO2Registration] { lock.withLock { registrations } }

    func save(tenant: Tenant) async throws(RegistrationError) { try await base.save(tenant: tenant) }
    func tenants() async throws(RegistrationError) -> [Tenant] { try await base.tenants() }
    func save(configuration: TenantConfiguration, tenant: String) async throws(RegistrationError) {
        try await base.save(configuration: configuration, tenant: tenant)
    }
    func configuration(tenant: String) async throws(RegistrationError) -> TenantConfiguration? {
        try await base.configuration(tenant: tenant)
    }
    func save(user: DirectoryUser) async throws(RegistrationError) { try await base.save(user: user) }
    func user(upn: String) async throws(RegistrationError) -> DirectoryUser? { try await base.user(upn: upn) }
    func user(objectID: String) async throws(RegistrationError) -> DirectoryUser? { try await base.user(objectID: objectID) }
    func replaceMetadata(_ summary: MetadataSummary, entries: [StoredMetadataEntry]) async throws(RegistrationError) {
        try await base.replaceMetadata(summary, entries: entries)
    }
    func metadataSummary() async throws(RegistrationError) -> MetadataSummary? { try await base.metadataSummary() }
    func metadataEntry(aaguid: String) async throws(RegistrationError) -> StoredMetadataEntry? {
        try await base.metadataEntry(aaguid: aaguid)
    }
    func users(tenant: String?) async throws(RegistrationError) -> [DirectoryUser] {
        try await base.users(tenant: tenant)
    }
    func methods(upn: String, tenant: String) async throws(RegistrationError) -> [RegisteredMethod] {
        try await base.methods(upn: upn, tenant: tenant)
    }
    func addMethod(_ draft: MethodDraft, upn: String, tenant: String, sealedSecret: [UInt8]?) async throws(RegistrationError)
        -> RegisteredMethod
    {
        try await base.addMethod(draft, upn: upn, tenant: tenant, sealedSecret: sealedSecret)
    }
    func otpState(methodID: String) async throws(RegistrationError) -> (sealedSecret: [UInt8], lastStep: UInt64?)? {
        try await base.otpState(methodID: methodID)
    }
    func advanceOTPStep(methodID: String, to step: UInt64) async throws(RegistrationError) -> Bool {
        try await base.advanceOTPStep(methodID: methodID, to: step)
    }
    func addFIDO2Key(_ registration: VerifiedFIDO2Registration, audit: AuditEvent) async throws(RegistrationError)
        -> RegisteredMethod
    {
        lock.withLock { registrations.append(registration) }
        return try await base.addFIDO2Key(registration, audit: audit)
    }
    func changeMethod(id: String, upn: String, tenant: String, displayValue: String) async throws(RegistrationError) {
        try await base.changeMethod(id: id, upn: upn, tenant: tenant, displayValue: displayValue)
    }
    func deleteMethod(id: String, upn: String, tenant: String) async throws(RegistrationError) {
        try await base.deleteMethod(id: id, upn: upn, tenant: tenant)
    }
    func setDefault(id: String, upn: String, tenant: String) async throws(RegistrationError) {
        try await base.setDefault(id: id, upn: upn, tenant: tenant)
    }
    func advanceSignCount(methodID: String, to count: UInt32) async throws(RegistrationError) -> Bool {
        try await base.advanceSignCount(methodID: methodID, to: count)
    }
    func saveChallenge(_ challenge: [UInt8], upn: String, tenant: String, expires: Date, ceremony: [UInt8]?)
        async throws(RegistrationError)
    { try await base.saveChallenge(challenge, upn: upn, tenant: tenant, expires: expires, ceremony: ceremony) }
    func consumeChallenge(_ challenge: [UInt8], upn: String, tenant: String) async throws(RegistrationError)
        -> StoredChallenge? {
        try await base.consumeChallenge(challenge, upn: upn, tenant: tenant)
    }
    func save(token: HardwareToken) async throws(RegistrationError) { try await base.save(token: token) }
    func save(tokens: [HardwareToken]) async throws(RegistrationError) { try await base.save(tokens: tokens) }
    func token(serial: String, tenant: String) async throws(RegistrationError) -> HardwareToken? {
        try await base.token(serial: serial, tenant: tenant)
    }
    func tokens(tenant: String) async throws(RegistrationError) -> [HardwareToken] {
        try await base.tokens(tenant: tenant)
    }
    func assignToken(serial: String, tenant: String, methodID: String?) async throws(RegistrationError) {
        try await base.assignToken(serial: serial, tenant: tenant, methodID: methodID)
    }
    func save(pass: StoredAccessPass) async throws(RegistrationError) { try await base.save(pass: pass) }
    func passes(upn: String, tenant: String) async throws(RegistrationError) -> [StoredAccessPass] {
        try await base.passes(upn: upn, tenant: tenant)
    }
    func markPassUsed(id: String) async throws(RegistrationError) -> Bool { try await base.markPassUsed(id: id) }
    func deletePass(id: String) async throws(RegistrationError) -> Bool { try await base.deletePass(id: id) }
    func recordFailedAttempt(key: String, time: Date) async throws(RegistrationError) {
        try await base.recordFailedAttempt(key: key, time: time)
    }
    func failedAttempts(key: String, since: Date) async throws(RegistrationError) -> Int {
        try await base.failedAttempts(key: key, since: since)
    }
    func clearFailedAttempts(key: String) async throws(RegistrationError) {
        try await base.clearFailedAttempts(key: key)
    }
    func save(apiToken: StoredAPIToken) async throws(RegistrationError) { try await base.save(apiToken: apiToken) }
    func apiToken(id: String) async throws(RegistrationError) -> StoredAPIToken? { try await base.apiToken(id: id) }
    func apiTokens(tenant: String?) async throws(RegistrationError) -> [StoredAPIToken] {
        try await base.apiTokens(tenant: tenant)
    }
    func save(userSession: StoredUserSession) async throws(RegistrationError) { try await base.save(userSession: userSession) }
    func userSession(id: String) async throws(RegistrationError) -> StoredUserSession? { try await base.userSession(id: id) }
    func touchUserSession(id: String, lastSeen: Date) async throws(RegistrationError) -> Bool {
        try await base.touchUserSession(id: id, lastSeen: lastSeen)
    }
    func deleteUserSession(id: String) async throws(RegistrationError) -> Bool { try await base.deleteUserSession(id: id) }
    func deleteEndedUserSessions(now: Date) async throws(RegistrationError) -> Int { try await base.deleteEndedUserSessions(now: now) }
    func deleteUserSessions(upn: String, tenant: String) async throws(RegistrationError) -> Int {
        try await base.deleteUserSessions(upn: upn, tenant: tenant)
    }
    func append(_ event: AuditEvent) async throws(RegistrationError) { try await base.append(event) }
    func auditEvents(_ query: AuditQuery) async throws(RegistrationError) -> AuditPage {
        try await base.auditEvents(query)
    }
}
