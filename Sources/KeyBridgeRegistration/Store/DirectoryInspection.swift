import Foundation
import GRDB

/// What a directory file holds, read without writing anything (for `keybridge doctor`).
public struct DirectoryInspection: Sendable, Equatable {
    public var tenants: Int
    public var users: Int
    /// Tenants whose policy lets a first method be registered with no proof (doctor warns).
    public var tenantsWithOpenFirstRegistration: [String] = []
    /// The imported FIDO metadata list, if any (doctor warns when it is unsigned or overdue).
    public var metadata: MetadataSummary?
}

extension SQLiteRegistrationStore {
    /// Counts the tenants and users of the directory at `path` without migrating, switching to WAL
    /// or creating files. When no other connection keeps the `-wal`/`-shm` files, the file is read
    /// as immutable: a plain read-only connection would create them, owned by the caller (often
    /// root), and lock the service out.
    public static func inspect(path: String) throws(RegistrationError) -> DirectoryInspection {
        do {
            return try readOnly(path) { db in
                let open = try Row.fetchAll(db, sql: "SELECT id, configuration FROM tenants WHERE configuration IS NOT NULL ORDER BY id")
                    .compactMap { row -> String? in
                        let data: Data = row["configuration"]
                        let configuration = try? JSONDecoder().decode(TenantConfiguration.self, from: data)
                        return configuration?.access.allowFirstRegistrationWithoutProof == true ? row["id"] : nil
                    }
                // A directory from before the metadata table has none.
                let metadata = (try? Data.fetchOne(db, sql: "SELECT summary FROM metadata WHERE id = 1"))
                    .flatMap { $0 }.flatMap { try? JSONDecoder().decode(MetadataSummary.self, from: $0) }
                return DirectoryInspection(
                    tenants: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tenants") ?? 0,
                    users: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0,
                    tenantsWithOpenFirstRegistration: open, metadata: metadata)
            }
        } catch {
            throw .store("\(error)")
        }
    }

    /// The tables of an existing, non-empty database at `path` that has no keybridge schema (no
    /// migration record); nil for a keybridge directory, an empty file, no file, or a file this
    /// quick look cannot read (opening it properly then says what is wrong). Writes nothing.
    static func foreignTables(path: String) -> [String]? {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size > 0,
            let tables = try? readOnly(path, { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            }),
            !tables.isEmpty, !tables.contains("grdb_migrations")
        else { return nil }
        return tables
    }

    /// Why this process cannot write the directory at `path` (the file is immutable or not
    /// writable, or its folder is not, where SQLite keeps its -wal and -shm files); nil when it
    /// can, or when there is no file yet.
    static func unwritableReason(path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        if access(path, W_OK) != 0 {
            return errno == EPERM ? "the file is immutable" : "this user cannot write the file"
        }
        let folder = (path as NSString).deletingLastPathComponent
        if access(folder.isEmpty ? "." : folder, W_OK | X_OK) != 0 {
            return "this user cannot write its folder, where SQLite keeps its -wal and -shm files"
        }
        return nil
    }

    /// A read-only connection to `path` that creates no file (see ``inspect(path:)``).
    static func readOnlyQueue(_ path: String) throws -> DatabaseQueue {
        let walOpen = FileManager.default.fileExists(atPath: path + "-wal") && FileManager.default.fileExists(atPath: path + "-shm")
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let escaped = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(2)
        // Debian's SQLite takes URI file names (built with SQLITE_USE_URI).
        return try DatabaseQueue(path: "file:\(escaped)?" + (walOpen ? "mode=ro" : "immutable=1"), configuration: configuration)
    }

    /// Runs `body` on a read-only connection that creates no file (see ``inspect(path:)``).
    private static func readOnly<T>(_ path: String, _ body: (Database) throws -> T) throws -> T {
        let queue = try readOnlyQueue(path)
        defer { try? queue.close() }
        return try queue.read { db in try body(db) }
    }
}
