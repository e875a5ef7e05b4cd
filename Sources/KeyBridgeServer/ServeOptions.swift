import ArgumentParser
import Foundation
import Hummingbird
import KeyBridgeRegistration
import KeyBridgeRegistrationPostgres
import Logging

/// The options and the run of `keybridge serve` and of `keybridge-server` (which links no
/// hardware library): where to listen, which directory, limits and logging.
public struct ServeOptions: ParsableArguments {
    @Option(
        name: .customLong("directory"),
        help: ArgumentHelp(
            "The directory: a SQLite file, or postgres://user@host/db for a shared one (default: $KEYBRIDGE_DIRECTORY).",
            valueName: "file|url"))
    var directory: String?
    @Option(
        name: .customLong("key-file"),
        help: ArgumentHelp(
            "The 32-byte key that seals secrets (default: $KEYBRIDGE_KEY_FILE, else beside a SQLite file; required for PostgreSQL).",
            valueName: "file"))
    var keyFile: String?
    @Option(name: .long, help: ArgumentHelp("Address and port to listen on (port 0 picks a free one).", valueName: "host:port"))
    var listen = "127.0.0.1:8080"
    @Option(name: .long, help: ArgumentHelp("Requests per second allowed per client address (burst 4×).", valueName: "n"))
    var rateLimit: Double = 50
    @Option(name: .long, help: ArgumentHelp("Write the port the server listens on to this file once it is listening.", valueName: "file"))
    var portFile: String?
    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel = "info"
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (with --tls-key).", valueName: "file"))
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where codes for new phones and e-mail addresses go, one JSON line each (default: outbox.jsonl beside the directory or its key file).",
            valueName: "file"))
    var outbox: String?
    @Option(name: .long, help: ArgumentHelp("A user's session ends after this many minutes unused (1–1440).", valueName: "minutes"))
    var sessionIdleTimeout: Int = 15
    @Option(name: .long, help: ArgumentHelp("A user's session ends this many minutes after sign-in (up to 43200).", valueName: "minutes"))
    var sessionLifetime: Int = 480

    public init() {}

    /// What both commands say about themselves in `--help`.
    public static let discussion = """
        Routes (also under /v1.0 and /beta): GET /users/{id|upn}/authentication/methods, \
        …/fido2Methods[/{id}], …/fido2Methods/creationOptions(challengeTimeoutInMinutes=N), \
        POST …/fido2Methods, DELETE …/fido2Methods/{id}, …/temporaryAccessPassMethods (GET, POST, \
        DELETE), …/phoneMethods and emailMethods (GET, POST, and GET/DELETE by id), \
        softwareOathMethods, microsoftAuthenticatorMethods, hardwareOathMethods; the same under /me/authentication for a signed-in user; GET /healthz (no \
        token). Admins and kiosks send `Authorization: Bearer TOKEN` from `keybridge admin token \
        issue`. Users sign in with POST /auth/signIn/fido2Options then POST /auth/signIn \
        ({userPrincipalName, and temporaryAccessPass | oneTimeCode | publicKeyCredential}), which \
        answers a session token (Bearer kbs_…) for /me, /me/authentication/… and POST \
        /auth/signOut; sessions live in the directory, so every server sharing it accepts them. \
        Errors: {"error": {code, message, innerError}}.

        Pages for people (cookie sessions, CSRF tokens, a strict Content-Security-Policy): \
        /signin, the sign-in wizard /register (interrupt mode: apps with a QR code, phones and \
        e-mail checked by a code sent through --outbox) and /security-info (manage mode: methods, \
        default, add, change, delete, security keys through WebAuthn, app passwords, switch \
        directory); ?lng=de for German.

        GET /metrics (no token, always on) answers Prometheus' text format: \
        keybridge_http_requests_total{method,route,status} and \
        keybridge_http_request_duration_seconds{method,route} (buckets 1 ms to 5 s), where route is \
        the matched route template (/users/{user}/…) or `unmatched`, never a user's name or id. \
        Keep it off public networks as you would /healthz.

        The server stops gracefully on SIGINT or SIGTERM. Logs (stderr) name the method, path, \
        status, caller and token name of every request; never a body, token or secret.
        """

    public func validate() throws {
        guard Self.split(listen) != nil else { throw ValidationError("--listen must be host:port, e.g. 127.0.0.1:8080") }
        guard rateLimit > 0, rateLimit <= 1_000_000 else { throw ValidationError("--rate-limit must be between 1 and 1000000") }
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        do { _ = try sessions.validated() } catch { throw ValidationError("--session-idle-timeout and --session-lifetime: \(MessageCatalog(language: "en").sentence(for: error))") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
    }

    /// The session limits the options give.
    var sessions: UserSessionPolicy {
        UserSessionPolicy(idleTimeout: TimeInterval(sessionIdleTimeout) * 60, lifetime: TimeInterval(sessionLifetime) * 60)
    }

    static func split(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host.isEmpty ? nil : (host, port)
    }

    /// Serves until SIGINT or SIGTERM, then stops gracefully and closes the directory.
    public func run() async throws {
        let logger = {
            var logger = Logger(label: "keybridge.serve")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            return logger
        }()
        let connection = DirectoryConnection.resolve(name: directory, keyFile: keyFile)
        let service: RegistrationService
        do {
            service = try await connection.open(create: false)
        } catch {
            throw ValidationError(MessageCatalog(language: "en").sentence(for: error))
        }
        let (host, port) = Self.split(listen)!
        let configuration = KeyBridgeServer.Configuration(
            host: host, port: port, rateLimit: (rateLimit, rateLimit * 4),
            tls: tlsCertificate.flatMap { certificate in tlsKey.map { (certificate, $0) } }, sessions: sessions,
            delivery: OutboxDelivery(path: try outbox ?? connection.outboxPath()))
        let portFile = portFile
        let app = try KeyBridgeServer.application(service: service, configuration: configuration, logger: logger) { bound in
            logger.notice("keybridge serve listening", metadata: ["address": "\(host):\(bound)"])
            if let portFile { try? Data("\(bound)\n".utf8).write(to: URL(fileURLWithPath: portFile), options: .atomic) }
        }
        try await app.runService()
        await DirectoryConnection.close(service)
    }
}
