import ArgumentParser
import Foundation
import KeyBridgeRegistration
import KeyBridgeRegistrationPostgres

/// Which directory to use — the embedded SQLite file or a shared PostgreSQL database — and in
/// which language to speak to people.
struct DirectoryOptions: ParsableArguments {
    @Option(
        name: .customLong("directory"),
        help: ArgumentHelp(
            "The directory: a SQLite file, or postgres://user@host/db for a shared one (default: $KEYBRIDGE_DIRECTORY, else /var/lib/keybridge/directory.sqlite for root, else ~/.local/share/keybridge/directory.sqlite).",
            valueName: "file|url"))
    var path: String?

    @Option(
        name: .customLong("key-file"),
        help: ArgumentHelp(
            "The 32-byte key that seals secrets at rest (default: $KEYBRIDGE_KEY_FILE, else directory.key beside a SQLite file; required for PostgreSQL: the same file on every server).",
            valueName: "file"))
    var keyFile: String?

    @Option(name: .customLong("lang"), help: ArgumentHelp("Language of messages: en or de (like the pages' ?lng=).", valueName: "code"))
    var language = "en"

    /// The directory these options name (flags, else the environment).
    var connection: DirectoryConnection { DirectoryConnection.resolve(name: path, keyFile: keyFile) }

    /// The PostgreSQL URL when the directory is a shared one.
    var sharedURL: String? { connection.sharedURL }

    /// The embedded directory's files (meaningful when ``sharedURL`` is nil).
    var location: DirectoryLocation { connection.location }
    var catalog: MessageCatalog { MessageCatalog(language: language) }

    /// The key file: `--key-file`, `$KEYBRIDGE_KEY_FILE`, else beside the SQLite file.
    func keyFilePath() throws -> String { try connection.keyFilePath() }

    /// Where outbox, receipts and other local files go: beside the SQLite file, or the key file.
    func folder() throws -> String { try connection.folder() }

    /// Where one-time codes for phones and e-mail addresses are written (JSON lines).
    func outboxPath() throws -> String { try connection.outboxPath() }

    /// The directory as people read it (a PostgreSQL URL without its password).
    var displayName: String { connection.displayName }

    /// The registration service over the directory (an embedded one is created on first use; a
    /// shared one is migrated to the current schema).
    func service() async throws -> RegistrationService { try await connection.open(create: true) }

    /// The service over an existing directory: reading commands must not create one by accident.
    func existingService() async throws -> RegistrationService { try await connection.open(create: false) }
}

/// Where the request comes from, for the conditional-access rule and the audit log.
struct ClientOptions: ParsableArguments {
    @Option(
        name: .customLong("client-address"),
        help: ArgumentHelp("This machine's network address for the access rule (default: its first non-loopback IPv4 address).", valueName: "ip"))
    var address: String?

    @Option(
        name: .customLong("client-device"),
        help: ArgumentHelp("This machine's name for the access rule's trusted devices (default: the host name).", valueName: "name"))
    var device: String?

    var context: ClientContext {
        ClientContext(address: address ?? LocalMachine.primaryIPv4() ?? "127.0.0.1", device: device ?? LocalMachine.hostName())
    }
}

/// Facts about the machine keybridge runs on.
enum LocalMachine {
    /// The first IPv4 address of an interface that is up and not loopback.
    static func primaryIPv4() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            let flags = Int32(entry.pointee.ifa_flags)
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0
            else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            let ok = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var raw = pointer.pointee.sin_addr
                return inet_ntop(AF_INET, &raw, &text, socklen_t(INET_ADDRSTRLEN)) != nil
            }
            if ok { return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        }
        return nil
    }

    static func hostName() -> String { ProcessInfo.processInfo.hostName }

    /// Who runs the command: the invoking user behind sudo, else the login name.
    static func userName() -> String {
        if let sudo = ProcessInfo.processInfo.environment["SUDO_USER"], !sudo.isEmpty { return sudo }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }
}
