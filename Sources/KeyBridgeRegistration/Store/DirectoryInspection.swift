import Foundation
import GRDB

/// What a directory file holds, read without writing anything (for `keybridge doctor`).
public struct DirectoryInspection: Sendable, Equatable {
    public var tenants: Int
    public var users: Int
}

extension SQLiteRegistrationStore {
    /// Counts the tenants and users of the directory at `path` without migrating, switching to WAL
    /// or creating files. When no other connection keeps the `-wal`/`-shm` files, the file is read
    /// as immutable: a plain read-only connection would create them, owned by the caller (often
    /// root), and lock the service out.
    public static func inspect(path: String) throws(RegistrationError) -> DirectoryInspection {
        let walOpen = FileManager.default.fileExists(atPath: path + "-wal") && FileManager.default.fileExists(atPath: path + "-shm")
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let escaped = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(2)
        do {
            // Debian's SQLite takes URI file names (built with SQLITE_USE_URI).
            let queue = try DatabaseQueue(path: "file:\(escaped)?" + (walOpen ? "mode=ro" : "immutable=1"), configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                DirectoryInspection(
                    tenants: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tenants") ?? 0,
                    users: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0)
            }
        } catch {
            throw .store("\(error)")
        }
    }
}
