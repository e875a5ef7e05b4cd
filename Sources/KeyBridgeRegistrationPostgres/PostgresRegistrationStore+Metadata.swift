import Foundation
import KeyBridgeRegistration
import PostgresNIO

/// FIDO metadata (MDS3): one summary row and one row per AAGUID, replaced in one transaction
/// under an advisory lock, so two servers importing at once cannot interleave.
extension PostgresRegistrationStore {
    public func replaceMetadata(_ summary: MetadataSummary, entries: [StoredMetadataEntry]) async throws(RegistrationError) {
        let document = try Self.json(summary)
        try await transaction("cannot store the FIDO metadata") { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(AdvisoryLock.metadata), 0)")
            if let stored = try await connection.run("SELECT serial FROM metadata WHERE id = 1").first?.decode(Int.self),
                stored > summary.serial
            {
                throw RegistrationError.invalidInput(
                    "the directory holds metadata number \(stored); number \(summary.serial) is older and was not imported")
            }
            try await connection.run("DELETE FROM metadata_entries")
            var start = 0
            while start < entries.count {
                let batch = Array(entries[start..<min(start + 500, entries.count)])
                try await connection.run(
                    """
                    INSERT INTO metadata_entries (aaguid, description, certification_level, latest_status, json)
                    SELECT a, NULLIF(d, ''), NULLIF(c, ''), NULLIF(s, ''), j
                    FROM unnest(\(batch.map(\.aaguid))::text[], \(batch.map { $0.description ?? "" })::text[],
                        \(batch.map { $0.certificationLevel ?? "" })::text[], \(batch.map { $0.latestStatus ?? "" })::text[],
                        \(batch.map { String(decoding: $0.json, as: UTF8.self) })::text[]) AS x(a, d, c, s, j)
                    """)
                start += batch.count
            }
            try await connection.run(
                """
                INSERT INTO metadata (id, serial, summary) VALUES (1, \(summary.serial), \(document)::jsonb)
                ON CONFLICT (id) DO UPDATE SET serial = excluded.serial, summary = excluded.summary
                """)
        }
    }

    public func metadataSummary() async throws(RegistrationError) -> MetadataSummary? {
        let found = try await rows("SELECT summary::text FROM metadata WHERE id = 1", "cannot read the FIDO metadata")
        guard let row = found.first else { return nil }
        do {
            return try JSONDecoder().decode(MetadataSummary.self, from: Data(try row.decode(String.self).utf8))
        } catch {
            throw .store("cannot read the FIDO metadata: \(error)")
        }
    }

    public func metadataEntry(aaguid: String) async throws(RegistrationError) -> StoredMetadataEntry? {
        let found = try await rows(
            "SELECT aaguid, description, certification_level, latest_status, json FROM metadata_entries WHERE aaguid = \(aaguid)",
            "cannot read the FIDO metadata of \(aaguid)")
        guard let row = found.first else { return nil }
        do {
            let (id, description, level, status, json) = try row.decode((String, String?, String?, String?, String).self)
            return StoredMetadataEntry(aaguid: id, description: description, certificationLevel: level, latestStatus: status, json: Data(json.utf8))
        } catch {
            throw .store("cannot read the FIDO metadata of \(aaguid): \(error)")
        }
    }
}
