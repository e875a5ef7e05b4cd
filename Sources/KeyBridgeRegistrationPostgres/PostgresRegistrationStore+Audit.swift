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
        // Only the filters given become conditions (each value a bound parameter), so the planner
        // sees plain equalities and ranges: audit_by_user for a tenant and user, audit_by_tenant
        // for a tenant, audit_by_time for a time range, else the sequence key.
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 256, interpolationCount: 8)
        sql.appendLiteral("SELECT seq, document::text FROM audit WHERE seq > ")
        sql.appendInterpolation(query.after ?? 0)
        if let tenant = query.tenant {
            sql.appendLiteral(" AND tenant = ")
            sql.appendInterpolation(tenant)
        }
        if let upn = query.upn {
            sql.appendLiteral(" AND upn = ")
            sql.appendInterpolation(upn)
        }
        if let action = query.action {
            sql.appendLiteral(" AND action = ")
            sql.appendInterpolation(action)
        }
        if let failures = query.failures {
            sql.appendLiteral(" AND failure = ")
            sql.appendInterpolation(failures)
        }
        if let since = query.since {
            sql.appendLiteral(" AND time >= ")
            sql.appendInterpolation(Self.epoch(since))
        }
        if let until = query.until {
            sql.appendLiteral(" AND time < ")
            sql.appendInterpolation(Self.epoch(until))
        }
        sql.appendLiteral(" ORDER BY seq LIMIT ")
        sql.appendInterpolation(limit)
        let found = try await rows(PostgresQuery(stringInterpolation: sql), "cannot read the audit log")
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
