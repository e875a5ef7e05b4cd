import Foundation
import KeyBridgeRegistration
import PostgresNIO

/// Where a PostgreSQL directory lives, read from a URL:
///
/// - TCP: `postgres://user:password@host:port/database?sslmode=disable|prefer|require|verify-full`
///   (port 5432 when omitted; `postgresql://` is accepted too).
/// - Unix socket: `postgres://user@/database?host=/path/to/socketdir` — the socket file is
///   `<dir>/.s.PGSQL.<port>`, as libpq names it.
///
/// Query parameters: `host` (a socket folder, or a host name overriding the authority's),
/// `port`, `sslmode`, `sslrootcert` (a PEM file of trust anchors for `verify-full`) and
/// `pool_max_conns` (the most connections one store opens; 10 by default). Any other parameter
/// is refused, so a typo does not silently weaken TLS.
///
/// `sslmode` means what it means to libpq: `disable` never uses TLS; `prefer` (the default) uses
/// it when the server offers it; `require` fails when the server has no TLS; neither checks the
/// server's certificate. `verify-full` requires TLS and checks the certificate and host name
/// against the system's trust anchors (or `sslrootcert`).
///
/// The password is never part of ``description`` or of an error message.
public struct PostgresDirectoryURL: Sendable, Equatable, CustomStringConvertible {
    /// How TLS is used on TCP connections.
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    /// How the server is reached.
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The full path of the socket file (`<dir>/.s.PGSQL.<port>`).
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// A PEM file with the trust anchors for `verify-full`; nil for the system's.
    public var rootCertificatePath: String?
    /// The most connections one store keeps open.
    public var maximumConnections: Int

    /// Parses a `postgres://` URL. Throws ``RegistrationError/invalidInput(_:)`` naming what is wrong.
    public init(_ text: String) throws(RegistrationError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw .invalidInput("the PostgreSQL URL cannot be parsed (expected postgres://user@host:port/database)")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw .invalidInput("the PostgreSQL URL must start with postgres:// (got \(scheme)://)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw .invalidInput("the PostgreSQL URL names no user (postgres://user@host/database)")
        }
        username = user
        password = components.password
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        guard !path.contains("/") else { throw .invalidInput("the PostgreSQL URL's database name contains '/'") }
        database = path.isEmpty ? user : path

        var hostParameter: String?
        var portParameter: String?
        var sslmode: String?
        var rootCertificate: String?
        var maximum = 10
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "host": hostParameter = value
            case "port": portParameter = value
            case "sslmode": sslmode = value
            case "sslrootcert": rootCertificate = value
            case "pool_max_conns":
                guard let number = Int(value), (1...1000).contains(number) else {
                    throw .invalidInput("pool_max_conns must be a number from 1 to 1000 (got \(value))")
                }
                maximum = number
            default:
                throw .invalidInput(
                    "the PostgreSQL URL has an unknown parameter \(item.name) (known: host, port, sslmode, sslrootcert, pool_max_conns)")
            }
        }
        maximumConnections = maximum
        rootCertificatePath = rootCertificate

        let port: Int
        if let portParameter {
            guard let number = Int(portParameter), (1...65535).contains(number) else {
                throw .invalidInput("the PostgreSQL port must be a number from 1 to 65535 (got \(portParameter))")
            }
            if let urlPort = components.port, urlPort != number {
                throw .invalidInput("the PostgreSQL URL gives two different ports (\(urlPort) and \(number))")
            }
            port = number
        } else if let urlPort = components.port {
            guard (1...65535).contains(urlPort) else {
                throw .invalidInput("the PostgreSQL port must be from 1 to 65535 (got \(urlPort))")
            }
            port = urlPort
        } else {
            port = 5432
        }

        let authorityHost = components.host.flatMap { $0.isEmpty ? nil : $0 }
        if let hostParameter, hostParameter.hasPrefix("/") {
            guard authorityHost == nil else {
                throw .invalidInput("the PostgreSQL URL names both a host and a socket folder (host=\(hostParameter))")
            }
            let folder = hostParameter.hasSuffix("/") ? String(hostParameter.dropLast()) : hostParameter
            endpoint = .unixSocket(path: "\(folder)/.s.PGSQL.\(port)")
        } else if let host = hostParameter.flatMap({ $0.isEmpty ? nil : $0 }) ?? authorityHost {
            // URLComponents keeps IPv6 literals bracketed.
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            endpoint = .tcp(host: bare, port: port)
        } else {
            throw .invalidInput("the PostgreSQL URL names no host (postgres://user@host/database, or ?host=/socket/folder)")
        }

        if let sslmode {
            guard let mode = TLSMode(rawValue: sslmode) else {
                throw .invalidInput(
                    "sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")) (got \(sslmode))")
            }
            tls = mode
        } else {
            tls = .prefer
        }
        if case .unixSocket = endpoint, tls == .require || tls == .verifyFull {
            throw .invalidInput("sslmode=\(tls.rawValue) cannot be met over a Unix socket (TLS is for TCP connections)")
        }
        if rootCertificatePath != nil && tls != .verifyFull {
            throw .invalidInput("sslrootcert is only used with sslmode=verify-full")
        }
    }

    /// The URL without its password.
    public var description: String {
        let credentials = password == nil ? username : "\(username):***"
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "postgres://\(credentials)@\(shownHost):\(port)/\(database)?sslmode=\(tls.rawValue)"
        case .unixSocket(let path):
            return "postgres://\(credentials)@/\(database) (socket \(path))"
        }
    }

    /// The same server and credentials, another database (tests and admin tools).
    public func with(database: String) -> PostgresDirectoryURL {
        var copy = self
        copy.database = database
        return copy
    }

    // MARK: postgres-nio configurations

    func tlsConfiguration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .verifyFull:
            if let rootCertificatePath { configuration.trustRoots = .file(rootCertificatePath) }
        case .disable, .prefer, .require:
            // libpq's prefer and require encrypt without checking the certificate.
            configuration.certificateVerification = .none
        }
        return configuration
    }

    func clientConfiguration() -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch endpoint {
        case .tcp(let host, let port):
            let mode: PostgresClient.Configuration.TLS
            switch tls {
            case .disable: mode = .disable
            case .prefer: mode = .prefer(tlsConfiguration())
            case .require, .verifyFull: mode = .require(tlsConfiguration())
            }
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: mode)
        case .unixSocket(let path):
            configuration = PostgresClient.Configuration(
                unixSocketPath: path, username: username, password: password, database: database)
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    func connectionConfiguration() throws(RegistrationError) -> PostgresConnection.Configuration {
        switch endpoint {
        case .tcp(let host, let port):
            let mode: PostgresConnection.Configuration.TLS
            do {
                switch tls {
                case .disable: mode = .disable
                case .prefer: mode = .prefer(try NIOSSLContext(configuration: tlsConfiguration()))
                case .require, .verifyFull: mode = .require(try NIOSSLContext(configuration: tlsConfiguration()))
                }
            } catch {
                throw .store("cannot set up TLS for \(self): \(error)")
            }
            return PostgresConnection.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: mode)
        case .unixSocket(let path):
            return PostgresConnection.Configuration(
                unixSocketPath: path, username: username, password: password, database: database)
        }
    }
}
