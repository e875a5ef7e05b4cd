import Foundation

/// Where the directory, security info, ceremony state and the audit log live: the embedded
/// SQLite store (``SQLiteRegistrationStore``) or the shared PostgreSQL one that several servers
/// use at once. No database type crosses this protocol, and a store can be written from these
/// comments alone.
///
/// Common guarantees of every requirement:
/// - Each call is atomic: it takes effect whole or not at all, also when several processes or
///   servers use the same database at the same time.
/// - Every invariant a requirement names (limits, uniqueness, single use) holds across
///   concurrent callers in different processes, not only inside one process.
/// - Failures are ``RegistrationError``: the refusals named below, else
///   ``RegistrationError/store(_:)`` with what went wrong in the database (never a secret).
/// - Lists are returned in a stable order stated by the requirement.
///
/// There is deliberately no way to insert a FIDO2 key except ``addFIDO2Key(_:audit:)``, which
/// takes a ``VerifiedFIDO2Registration`` — a value only a manage session's verifier can create.
public protocol RegistrationStore: Sendable {
    // MARK: Tenants and users

    /// Adds a tenant or renames it; its configuration is kept.
    func save(tenant: Tenant) async throws(RegistrationError)
    /// Every tenant, ordered by id.
    func tenants() async throws(RegistrationError) -> [Tenant]
    /// Replaces a tenant's policies. Throws ``RegistrationError/tenantNotFound(_:)`` when the
    /// tenant does not exist.
    func save(configuration: TenantConfiguration, tenant: String) async throws(RegistrationError)
    /// A tenant's policies; nil when the tenant or its configuration does not exist.
    func configuration(tenant: String) async throws(RegistrationError) -> TenantConfiguration?
    /// Adds a user or replaces the user with the same UPN (memberships included).
    func save(user: DirectoryUser) async throws(RegistrationError)
    /// The user with this UPN (exact match), or nil.
    func user(upn: String) async throws(RegistrationError) -> DirectoryUser?
    /// The user whose ``DirectoryUser/objectID`` this is (as Graph addresses users), or nil.
    /// Served by an index on the stored id. Two UPNs that differ only in case share an id: the
    /// first by UPN is returned.
    func user(objectID: String) async throws(RegistrationError) -> DirectoryUser?
    /// Users who are members of `tenant` (home or guest), or every user when it is nil, ordered
    /// by UPN. Served by an index: it does not read users of other tenants.
    func users(tenant: String?) async throws(RegistrationError) -> [DirectoryUser]

    // MARK: Methods

    /// A user's methods in a tenant, oldest first.
    func methods(upn: String, tenant: String) async throws(RegistrationError) -> [RegisteredMethod]
    /// Adds a non-FIDO2 method (with its sealed OTP secret, if any). The per-kind limit of the
    /// method table is checked in the same transaction, under a lock that concurrent adds for the
    /// same user wait for: throws ``RegistrationError/limitReached(_:maximum:)`` and stores nothing.
    func addMethod(_ draft: MethodDraft, upn: String, tenant: String, sealedSecret: [UInt8]?) async throws(RegistrationError)
        -> RegisteredMethod
    /// The sealed OTP secret of a method and the last time step a code was accepted for; nil when
    /// the method has no secret.
    func otpState(methodID: String) async throws(RegistrationError) -> (sealedSecret: [UInt8], lastStep: UInt64?)?
    /// Records the time step of an accepted code, only if it is later than the one stored.
    /// Returns false when a step at or after `step` was already recorded (a replayed code, also
    /// when two servers accept the same code at the same time: only one gets true).
    func advanceOTPStep(methodID: String, to step: UInt64) async throws(RegistrationError) -> Bool
    /// Adds a FIDO2 key that a manage session verified, with its audit entry, in one transaction.
    /// Throws ``RegistrationError/duplicateCredential`` (storing nothing) when the credential id
    /// is already stored in the tenant, also when two servers add it at once.
    func addFIDO2Key(_ registration: VerifiedFIDO2Registration, audit: AuditEvent) async throws(RegistrationError) -> RegisteredMethod
    /// Changes a method's display value. Throws ``RegistrationError/methodNotFound(_:)`` when the
    /// user has no such method in the tenant.
    func changeMethod(id: String, upn: String, tenant: String, displayValue: String) async throws(RegistrationError)
    /// Deletes a method. Throws ``RegistrationError/methodNotFound(_:)`` when the user has no such
    /// method in the tenant.
    func deleteMethod(id: String, upn: String, tenant: String) async throws(RegistrationError)
    /// Makes one method the user's only default in the tenant. Throws
    /// ``RegistrationError/methodNotFound(_:)`` (changing nothing) when there is no such method.
    func setDefault(id: String, upn: String, tenant: String) async throws(RegistrationError)
    /// Stores a FIDO2 key's new signature counter, only if it is greater than the stored one.
    /// Returns false when the stored counter is already at or past `count` (a cloned key, or two
    /// sign-ins with one assertion racing). Throws ``RegistrationError/methodNotFound(_:)``.
    func advanceSignCount(methodID: String, to count: UInt32) async throws(RegistrationError) -> Bool

    // MARK: Ceremonies

    /// Remembers a single-use challenge for `upn` in `tenant` until `expires`, with the ceremony
    /// state the service issued with it (encoded options; nil for a bare sign-in challenge).
    /// Expired challenges are dropped as new ones are saved.
    func saveChallenge(_ challenge: [UInt8], upn: String, tenant: String, expires: Date, ceremony: [UInt8]?)
        async throws(RegistrationError)
    /// Removes a challenge and returns what was saved with it; nil when it is unknown, belongs to
    /// another user or tenant, or was used. Of concurrent callers only one gets it.
    func consumeChallenge(_ challenge: [UInt8], upn: String, tenant: String) async throws(RegistrationError) -> StoredChallenge?

    // MARK: Hardware tokens

    /// Adds a token to the tenant's inventory. Throws ``RegistrationError/alreadyExists(_:)``
    /// (storing nothing) when the serial is already there.
    func save(token: HardwareToken) async throws(RegistrationError)
    /// Adds many tokens in one transaction: all of them, or — when a serial is already in the
    /// tenant's inventory (``RegistrationError/alreadyExists(_:)``) or anything fails — none.
    func save(tokens: [HardwareToken]) async throws(RegistrationError)
    /// A token by serial number in a tenant, or nil.
    func token(serial: String, tenant: String) async throws(RegistrationError) -> HardwareToken?
    /// A tenant's tokens, ordered by serial.
    func tokens(tenant: String) async throws(RegistrationError) -> [HardwareToken]
    /// Links an inventory token to its security-info method (nil returns it to inventory).
    func assignToken(serial: String, tenant: String, methodID: String?) async throws(RegistrationError)

    // MARK: Temporary Access Passes

    /// Stores an issued pass (only its salted hash is in it).
    func save(pass: StoredAccessPass) async throws(RegistrationError)
    /// A user's passes in a tenant, used or not, oldest first.
    func passes(upn: String, tenant: String) async throws(RegistrationError) -> [StoredAccessPass]
    /// Marks an unused pass used; false when it was already used. Of concurrent callers only one
    /// gets true, so a one-time pass works exactly once.
    func markPassUsed(id: String) async throws(RegistrationError) -> Bool
    /// Deletes a pass; false when there was none with this id.
    func deletePass(id: String) async throws(RegistrationError) -> Bool

    // MARK: Wrong-code counting

    /// Remembers a wrong one-time code for `key` (a user, or a user's contact check).
    func recordFailedAttempt(key: String, time: Date) async throws(RegistrationError)
    /// How many wrong codes were recorded for `key` after `since`.
    func failedAttempts(key: String, since: Date) async throws(RegistrationError) -> Int
    /// Forgets the wrong codes of `key` (after a right one).
    func clearFailedAttempts(key: String) async throws(RegistrationError)

    // MARK: API tokens

    /// Stores an issued API token (only its salted hash is in it) or replaces one with its id.
    func save(apiToken: StoredAPIToken) async throws(RegistrationError)
    /// An API token by id, revoked or not; nil when unknown.
    func apiToken(id: String) async throws(RegistrationError) -> StoredAPIToken?
    /// Every API token, or those of one tenant, oldest first.
    func apiTokens(tenant: String?) async throws(RegistrationError) -> [StoredAPIToken]

    // MARK: User sessions

    /// Stores a new user session (only the salted hash of its secret is in it).
    func save(userSession: StoredUserSession) async throws(RegistrationError)
    /// A user session by id, live or not; nil when unknown or ended.
    func userSession(id: String) async throws(RegistrationError) -> StoredUserSession?
    /// Moves a session's last-seen time forward (never back); false when there is no such session.
    func touchUserSession(id: String, lastSeen: Date) async throws(RegistrationError) -> Bool
    /// Ends a session; false when there was none. Every server refuses it from then on.
    func deleteUserSession(id: String) async throws(RegistrationError) -> Bool
    /// Removes every session that is past its idle limit or its end at `now`; returns how many.
    func deleteEndedUserSessions(now: Date) async throws(RegistrationError) -> Int
    /// Ends every session of `upn` in `tenant` (revoking their sign-ins); returns how many.
    func deleteUserSessions(upn: String, tenant: String) async throws(RegistrationError) -> Int

    // MARK: FIDO metadata (MDS3)

    /// Replaces the stored metadata with `summary` and `entries`, all together or not at all.
    /// Throws ``RegistrationError/invalidInput(_:)`` when the stored list's serial is newer than
    /// `summary.serial` (checked inside the same transaction: an older list never replaces a newer one).
    func replaceMetadata(_ summary: MetadataSummary, entries: [StoredMetadataEntry]) async throws(RegistrationError)
    /// The stored metadata's summary; nil when none was imported.
    func metadataSummary() async throws(RegistrationError) -> MetadataSummary?
    /// The stored entry for `aaguid` (lower-case 8-4-4-4-12), by index; nil when the list has none.
    func metadataEntry(aaguid: String) async throws(RegistrationError) -> StoredMetadataEntry?

    // MARK: Audit

    /// Appends an event to the audit log; events get increasing sequence numbers.
    func append(_ event: AuditEvent) async throws(RegistrationError)
    /// A page of the audit log, oldest first, filtered in the database (indexed by tenant, user and time).
    func auditEvents(_ query: AuditQuery) async throws(RegistrationError) -> AuditPage
}

extension RegistrationStore {
    /// Adds a method that has no secret.
    public func addMethod(_ draft: MethodDraft, upn: String, tenant: String) async throws(RegistrationError) -> RegisteredMethod {
        try await addMethod(draft, upn: upn, tenant: tenant, sealedSecret: nil)
    }

    /// Every user, ordered by UPN.
    public func users() async throws(RegistrationError) -> [DirectoryUser] { try await users(tenant: nil) }

    /// Every audit event of a tenant (or of all tenants), oldest first, read page by page.
    public func auditEvents(tenant: String?) async throws(RegistrationError) -> [AuditEvent] {
        try await allAuditEvents(matching: AuditQuery(tenant: tenant))
    }

    /// Every audit event that matches `query` (its `after` and `limit` are ignored), oldest first,
    /// read page by page.
    public func allAuditEvents(matching query: AuditQuery) async throws(RegistrationError) -> [AuditEvent] {
        var query = query
        query.after = nil
        query.limit = AuditQuery.maximumLimit
        var events: [AuditEvent] = []
        while true {
            let page = try await auditEvents(query)
            events += page.events.map(\.event)
            guard let next = page.nextAfter else { return events }
            query.after = next
        }
    }
}

/// A challenge as the store kept it.
public struct StoredChallenge: Sendable, Equatable {
    public var expires: Date
    /// The ceremony state saved with it (encoded options), nil for a bare sign-in challenge.
    public var ceremony: [UInt8]?

    public init(expires: Date, ceremony: [UInt8]?) {
        self.expires = expires
        self.ceremony = ceremony
    }
}

/// Which audit events to read: every filter is optional; `after` and `limit` page through them.
public struct AuditQuery: Sendable, Equatable {
    /// The largest page a store returns.
    public static let maximumLimit = 1000

    public var tenant: String?
    public var upn: String?
    public var action: String?
    /// Only failures (true), only successes (false), or both (nil).
    public var failures: Bool?
    /// Events at or after this time.
    public var since: Date?
    /// Events before this time.
    public var until: Date?
    /// Events after this sequence number (the previous page's ``AuditPage/nextAfter``).
    public var after: Int64?
    /// At most this many events (1…``maximumLimit``).
    public var limit: Int

    public init(
        tenant: String? = nil, upn: String? = nil, action: String? = nil, failures: Bool? = nil, since: Date? = nil,
        until: Date? = nil, after: Int64? = nil, limit: Int = 100
    ) {
        self.tenant = tenant
        self.upn = upn
        self.action = action
        self.failures = failures
        self.since = since
        self.until = until
        self.after = after
        self.limit = max(1, min(limit, Self.maximumLimit))
    }
}

/// An audit event with its sequence number in the log.
public struct SequencedAuditEvent: Sendable, Equatable {
    public var sequence: Int64
    public var event: AuditEvent

    public init(sequence: Int64, event: AuditEvent) {
        self.sequence = sequence
        self.event = event
    }
}

/// One page of the audit log.
public struct AuditPage: Sendable, Equatable {
    public var events: [SequencedAuditEvent]
    /// Pass as ``AuditQuery/after`` for the next page; nil when this page is the last.
    public var nextAfter: Int64?

    public init(events: [SequencedAuditEvent], nextAfter: Int64?) {
        self.events = events
        self.nextAfter = nextAfter
    }
}
