import Foundation

/// Just enough of SQLite's C API, looked up at run time, for `doctor` to count a table's rows
/// without writing anything.
///
/// The registration module's store opens its file read-write, switches it to WAL and runs
/// migrations, which a diagnosis must not do. keybridge does not link SQLite itself (the
/// registration module reaches it through GRDB), so this looks up the few functions in the
/// libsqlite3 that GRDB has already loaded into the process.
enum ReadOnlySQLite {
    enum Failure: Error {
        /// libsqlite3 or one of its functions could not be found.
        case unavailable(String)
        /// SQLite's own message (not a database, no such table, …).
        case sqlite(String)
    }

    /// How to open the file.
    enum Mode {
        /// A plain read-only connection: sees changes still in the -wal file, but SQLite creates
        /// the -wal and -shm files (owned by this user) when they do not exist.
        case readOnly
        /// `immutable=1`: no locks and no files created; changes still in a -wal file are not seen.
        case immutable
    }

    private typealias OpenV2 = @convention(c) (
        UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?, Int32, UnsafePointer<CChar>?
    ) -> Int32
    private typealias PrepareV2 = @convention(c) (
        OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafeMutablePointer<OpaquePointer?>?,
        UnsafeMutablePointer<UnsafePointer<CChar>?>?
    ) -> Int32
    private typealias Step = @convention(c) (OpaquePointer?) -> Int32
    private typealias ColumnInt64 = @convention(c) (OpaquePointer?, Int32) -> Int64
    private typealias Finalize = @convention(c) (OpaquePointer?) -> Int32
    private typealias Close = @convention(c) (OpaquePointer?) -> Int32
    private typealias ErrorMessage = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?
    private typealias BusyTimeout = @convention(c) (OpaquePointer?, Int32) -> Int32

    private static let openReadOnly: Int32 = 0x01  // SQLITE_OPEN_READONLY
    private static let openURI: Int32 = 0x40  // SQLITE_OPEN_URI
    private static let ok: Int32 = 0  // SQLITE_OK
    private static let row: Int32 = 100  // SQLITE_ROW

    /// `SELECT COUNT(*) FROM <table>` on the database at `path`.
    static func countRows(of table: String, in path: String, mode: Mode) -> Result<Int, Failure> {
        guard let library = dlopen("libsqlite3.so.0", RTLD_NOW) else {
            return .failure(.unavailable("libsqlite3.so.0 cannot be loaded"))
        }
        func function<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(library, name).map { unsafeBitCast($0, to: type) }
        }
        guard let open = function("sqlite3_open_v2", as: OpenV2.self),
            let prepare = function("sqlite3_prepare_v2", as: PrepareV2.self),
            let step = function("sqlite3_step", as: Step.self),
            let column = function("sqlite3_column_int64", as: ColumnInt64.self),
            let finalize = function("sqlite3_finalize", as: Finalize.self),
            let close = function("sqlite3_close_v2", as: Close.self),
            let message = function("sqlite3_errmsg", as: ErrorMessage.self),
            let busyTimeout = function("sqlite3_busy_timeout", as: BusyTimeout.self)
        else {
            return .failure(.unavailable("libsqlite3 lacks a function doctor needs"))
        }

        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let escaped = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        let uri = "file:\(escaped)?" + (mode == .immutable ? "immutable=1" : "mode=ro")

        var db: OpaquePointer?
        defer { _ = close(db) }
        func failure() -> Result<Int, Failure> {
            .failure(.sqlite(message(db).map { String(cString: $0) } ?? "unknown SQLite error"))
        }
        guard open(uri, &db, openReadOnly | openURI, nil) == ok else { return failure() }
        _ = busyTimeout(db, 2000)
        var statement: OpaquePointer?
        defer { _ = finalize(statement) }
        guard prepare(db, "SELECT COUNT(*) FROM \"\(table)\"", -1, &statement, nil) == ok,
            step(statement) == row
        else { return failure() }
        return .success(Int(column(statement, 0)))
    }
}
