import Foundation
import KeyBridgeRegistration

/// Opening a directory by the name people give it: a `postgres://` URL (a shared directory, whose
/// key file must be named) or a SQLite file (the embedded one, its key file beside it). Every
/// interface — the CLI, the server — opens directories this way.
public struct DirectoryConnection: Sendable, Equatable {
    /// `--directory` (or `$KEYBRIDGE_DIRECTORY`): a SQLite path or a PostgreSQL URL; nil for the default file.
    public var name: String?
    /// `--key-file` (or `$KEYBRIDGE_KEY_FILE`); required for a shared directory.
    public var keyFile: String?

    public init(name: String?, keyFile: String?) {
        self.name = name
        self.keyFile = keyFile
    }

    /// From explicit values, else the environment (`$KEYBRIDGE_DIRECTORY`, `$KEYBRIDGE_KEY_FILE`).
    public static func resolve(name: String?, keyFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> DirectoryConnection
    {
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        return DirectoryConnection(
            name: nonEmpty(name) ?? nonEmpty(environment[DirectoryLocation.environmentVariable]),
            keyFile: nonEmpty(keyFile) ?? nonEmpty(environment["KEYBRIDGE_KEY_FILE"]))
    }

    /// The PostgreSQL URL when the directory is a shared one.
    public var sharedURL: String? {
        name.flatMap { $0.hasPrefix("postgres://") || $0.hasPrefix("postgresql://") ? $0 : nil }
    }

    /// The embedded directory's files (meaningful when ``sharedURL`` is nil).
    public var location: DirectoryLocation { DirectoryLocation.resolve(name) }

    /// The key file: the one named, else beside the SQLite file.
    public func keyFilePath() throws(RegistrationError) -> String {
        if let keyFile { return keyFile }
        guard sharedURL == nil else {
            throw .invalidInput(
                "a PostgreSQL directory needs --key-file (or $KEYBRIDGE_KEY_FILE): the same 32-byte file on every server and workstation")
        }
        return location.keyFilePath
    }

    /// Where outbox, receipts and other local files go: beside the SQLite file, or the key file.
    public func folder() throws(RegistrationError) -> String {
        sharedURL == nil ? location.folder : (try keyFilePath() as NSString).deletingLastPathComponent
    }

    /// Where one-time codes for phones and e-mail addresses are written (JSON lines).
    public func outboxPath() throws(RegistrationError) -> String { try folder() + "/outbox.jsonl" }

    /// The directory as people read it (a PostgreSQL URL without its password).
    public var displayName: String {
        guard let sharedURL else { return location.databasePath }
        return (try? PostgresDirectoryURL(sharedURL).description) ?? "the PostgreSQL directory"
    }

    /// The registration service over the directory. With `create`, a missing embedded directory
    /// is made; without it, a missing directory is an error that names it. A key file is made
    /// only with `create` for a directory that holds no tenant yet (its first `tenant add`): any
    /// other directory may hold secrets sealed under its key, so a missing key file is an error
    /// that names it — a secret is never sealed under a new key that would orphan the old ones.
    public func open(create: Bool) async throws(RegistrationError) -> RegistrationService {
        let store: any RegistrationStore
        let keyFile: String
        if let sharedURL {
            keyFile = try keyFilePath()
            store = try await PostgresRegistrationStore(url: sharedURL)
        } else {
            if !create, !FileManager.default.fileExists(atPath: location.databasePath) {
                throw .store("there is no directory at \(location.databasePath); create it with `keybridge admin tenant add` or pass --directory")
            }
            keyFile = try keyFilePath()
            store = try location.openStore()
        }
        if !FileManager.default.fileExists(atPath: keyFile) {
            let empty = create ? ((try? await store.tenants())?.isEmpty ?? false) : false
            guard empty else {
                if let shared = store as? PostgresRegistrationStore { await shared.shutdown() }
                throw .store(
                    "the key file \(keyFile) is missing; it seals this directory's secrets, so keybridge will not make a new one: "
                        + "restore it from a backup or copy it from another server (same path, mode 0600)")
            }
        }
        do throws(RegistrationError) {
            return RegistrationService(store: store, sealer: try SecretSealer(keyFile: keyFile))
        } catch {
            if let shared = store as? PostgresRegistrationStore { await shared.shutdown() }
            throw error
        }
    }

    /// Releases what the service holds (a PostgreSQL pool); safe for either kind.
    public static func close(_ service: RegistrationService) async {
        if let shared = service.store as? PostgresRegistrationStore { await shared.shutdown() }
    }
}
