import Foundation
import GRDB

/// FIDO metadata (MDS3): one summary row and one row per AAGUID, replaced in one transaction.
extension SQLiteRegistrationStore {
    public func replaceMetadata(_ summary: MetadataSummary, entries: [StoredMetadataEntry]) async throws(RegistrationError) {
        let encoded = try encode(summary)
        try await write { db in
            if let stored = try Int.fetchOne(db, sql: "SELECT serial FROM metadata WHERE id = 1"), stored > summary.serial {
                throw RegistrationError.invalidInput(
                    "the directory holds metadata number \(stored); number \(summary.serial) is older and was not imported")
            }
            try db.execute(sql: "DELETE FROM metadata_entries")
            let insert = try db.makeStatement(
                sql: "INSERT INTO metadata_entries (aaguid, description, certification_level, latest_status, json) VALUES (?, ?, ?, ?, ?)")
            for entry in entries {
                try insert.execute(arguments: [entry.aaguid, entry.description, entry.certificationLevel, entry.latestStatus, entry.json])
            }
            try db.execute(
                sql: "INSERT INTO metadata (id, serial, summary) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET serial = excluded.serial, summary = excluded.summary",
                arguments: [summary.serial, encoded])
        }
    }

    public func metadataSummary() async throws(RegistrationError) -> MetadataSummary? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT summary FROM metadata WHERE id = 1").map { try JSONDecoder().decode(MetadataSummary.self, from: $0) }
        }
    }

    public func metadataEntry(aaguid: String) async throws(RegistrationError) -> StoredMetadataEntry? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT aaguid, description, certification_level, latest_status, json FROM metadata_entries WHERE aaguid = ?",
                arguments: [aaguid]
            ).map { row in
                StoredMetadataEntry(
                    aaguid: row["aaguid"], description: row["description"], certificationLevel: row["certification_level"],
                    latestStatus: row["latest_status"], json: row["json"])
            }
        }
    }
}
