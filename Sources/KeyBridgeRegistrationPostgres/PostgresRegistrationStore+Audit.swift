import Foundation
import KeyBridgeRegistration
import PostgresNIO

/// The audit log: appended under one advisory lock so sequence numbers are committed in order
/// (a reader paging by sequence number never skips an event that commits late), and read with
/// every filter in SQL, keyset-paged by sequence number.
extension PostgresRegistrationStore {
    public func append(_ event: AuditEvent) async throws(RegistrationError) {
        let document = try Self.json(event)
        try await transaction("cannot append to the audit log") { connection in
            try await Self.insertAudit(event, document: document, on: connection)
        }
    }

    public func auditEvents(_ query: AuditQuery) async throws(RegistrationError) -> AuditPage {
        let limit = max(1, min(query.limit, AuditQuery.maximumLimit))
        // Every filter is a bound parameter; a nil one switches its condition off. With a tenant
        // (and user) the planner uses audit_by_tenant / audit_by_user, else audit_by_time or the key.
        let failure: Bool? = query.failures
        let found = try await rows(
            """
            SELECT seq, document::text FROM audit
            WHERE (\(query.tenant)::text IS NULL OR tenant = \(query.tenant))
              AND (\(query.upn)::text IS NULL OR upn = \(query.upn))
              AND (\(query.action)::text IS NULL OR action = \(query.action))
              AND (\(failure)::boolean IS NULL OR failure = \(failure))
              AND (\(query.since.map(Self.epoch))::float8 IS NULL OR time >= \(query.since.map(Self.epoch)))
              AND (\(query.until.map(Self.epoch))::float8 IS NULL OR time < \(query.until.map(Self.epoch)))
              AND seq > \(query.after ?? 0)
            ORDER BY seq LIMIT \(limit)
            """, "cannot read the audit log")
        let events = try found.map { row throws(RegistrationError) in
            let (sequence, json) = try Self.columns(row, (Int64, String).self)
            return SequencedAuditEvent(sequence: sequence, event: try Self.decode(AuditEvent.self, json))
        }
        return AuditPage(events: events, nextAfter: events.count == limit ? events.last?.sequence : nil)
    }

    /// Appends inside the caller's transaction; the lock is held until it commits.
    static func insertAudit(_ event: AuditEvent, document: String, on connection: PostgresConnection) async throws {
        try await connection.run("SELECT pg_advisory_xact_lock(\(AdvisoryLock.auditAppend), 0)")
        try await connection.run(
            """
            INSERT INTO audit (tenant, upn, action, failure, time, document)
            VALUES (\(event.tenant), \(event.upn), \(event.action), \(event.outcome == .failure), \(epoch(event.time)),
                    \(document)::jsonb)
            """)
    }
}
