import Foundation

/// Where the embedded directory lives on disk: the SQLite file, the key file that seals secrets
/// at rest, and the outbox that one-time codes are written to.
///
/// The database path is, in order: an explicit path (`--directory`), `$KEYBRIDGE_DIRECTORY`,
/// `/var/lib/keybridge/directory.sqlite` for root, else
/// `${XDG_DATA_HOME:-~/.local/share}/keybridge/directory.sqlite`. The key file and the outbox sit
/// beside it (`directory.key`, `outbox.jsonl`).
public struct DirectoryLocation: Sendable, Equatable {
    /// The environment variable that names the directory's SQLite file.
    public static let environmentVariable = "KEYBRIDGE_DIRECTORY"

    /// The SQLite file.
    public var databasePath: String

    public init(databasePath: String) {
        self.databasePath = databasePath
    }

    /// The location for an explicit path, else the environment, else the default.
    public static func resolve(_ explicit: String? = nil) -> DirectoryLocation {
        if let explicit, !explicit.isEmpty { return DirectoryLocation(databasePath: explicit) }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment[environmentVariable], !path.isEmpty { return DirectoryLocation(databasePath: path) }
        return DirectoryLocation(databasePath: defaultDatabasePath(environment: environment, isRoot: getuid() == 0))
    }

    /// The default database path for a user (root or not) and environment.
    public static func defaultDatabasePath(environment: [String: String], isRoot: Bool) -> String {
        if isRoot { return "/var/lib/keybridge/directory.sqlite" }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return data + "/keybridge/directory.sqlite"
    }

    /// The folder holding the database, key file and outbox.
    public var folder: String { (databasePath as NSString).deletingLastPathComponent }

    /// 32 random bytes (mode 0600) that seal OTP seeds, token secrets and answers at rest.
    public var keyFilePath: String { folder + "/directory.key" }

    /// Where one-time codes for phones and e-mail addresses are written (JSON lines).
    public var outboxPath: String { folder + "/outbox.jsonl" }

    /// Opens (creating if needed, mode 0700 for the folder) the store and its sealer.
    public func open() throws(RegistrationError) -> (store: SQLiteRegistrationStore, sealer: SecretSealer) {
        let store = try openStore()
        return (store, try SecretSealer(keyFile: keyFilePath))
    }

    /// The store alone (its folder made first when missing); the key file is the caller's concern.
    public func openStore() throws(RegistrationError) -> SQLiteRegistrationStore {
        if !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .store("cannot create the directory folder \(folder): \(error.localizedDescription)")
            }
        }
        return try SQLiteRegistrationStore(path: databasePath)
    }
}
