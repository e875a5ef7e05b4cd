import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import KeyBridgeRegistration
import Logging
import Prometheus

/// `keybridge serve`: the directory as an HTTP service in Microsoft Graph's shapes. Every rule
/// is the registration module's; this target parses requests, calls it, and renders Graph JSON.
/// Nothing lives in the process that another server sharing the directory would need (rate-limit
/// buckets aside, which are per server by design).
public enum KeyBridgeServer {
    /// How the server listens and limits callers.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// Requests per second per client address, and the burst allowed.
        public var rateLimit: (perSecond: Double, burst: Double)
        /// PEM files of the certificate chain and its private key, to serve HTTPS; nil for HTTP.
        public var tls: (certificateChain: String, privateKey: String)?
        /// How long users' sessions last.
        public var sessions: UserSessionPolicy
        /// How the sign-in wizard sends codes to new phones and e-mail addresses (nil: those steps are refused).
        public var delivery: (any CodeDelivery)?
        /// Where the server records its request metrics and what `GET /metrics` exposes; a
        /// registry of the server's own unless the caller shares one.
        public var metrics: PrometheusCollectorRegistry

        /// A configuration; every value has the default `keybridge serve` uses.
        public init(
            host: String = "127.0.0.1", port: Int = 8080, rateLimit: (perSecond: Double, burst: Double) = (50, 200),
            tls: (certificateChain: String, privateKey: String)? = nil, sessions: UserSessionPolicy = .standard,
            metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), delivery: (any CodeDelivery)? = nil
        ) {
            self.delivery = delivery
            self.host = host
            self.port = port
            self.rateLimit = rateLimit
            self.tls = tls
            self.sessions = sessions
            self.metrics = metrics
        }
    }

    /// The router: `/healthz`, `/openapi.yaml`, `/metrics`, the pages and signing in open;
    /// everything else behind a bearer token (an API token or a user's session). Every request,
    /// matched or not, is counted in `configuration.metrics`.
    public static func router(service: RegistrationService, configuration: Configuration) throws -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        // Outermost, so it records the status GraphErrorMiddleware's error turns into.
        router.add(middleware: RequestMetrics(registry: configuration.metrics))
        router.add(middleware: GraphErrorMiddleware())
        router.add(middleware: RateLimiter(perSecond: configuration.rateLimit.perSecond, burst: configuration.rateLimit.burst))
        HealthRoutes(service: service).register(on: router)
        MetricsRoutes(registry: configuration.metrics).register(on: router)
        let web = WebRoutes(
            service: service, sessions: configuration.sessions, secure: configuration.tls != nil, pages: try PageRenderer(),
            delivery: configuration.delivery)
        web.register(on: router)
        WizardRoutes(web: web).register(on: router)
        ManageStepRoutes(web: web).register(on: router)
        let signIn = SignInRoutes(service: service, sessions: configuration.sessions)
        for prefix in ["", "v1.0", "beta"] {
            let open = prefix.isEmpty ? router.group() : router.group(RouterPath(prefix))
            signIn.registerOpen(on: open)
            let api = (prefix.isEmpty ? router.group() : router.group(RouterPath(prefix)))
                .add(middleware: BearerAuthenticator(service: service, sessions: configuration.sessions))
            signIn.registerAuthenticated(on: api)
            AuthenticationMethodsRoutes(service: service).register(on: api)
            TemporaryAccessPassRoutes(service: service).register(on: api)
            ContactMethodRoutes(service: service).register(on: api)
            PolicyRoutes(service: service).register(on: api)
            UserRoutes(service: service).register(on: api)
            SignInPreferencesRoutes(service: service).register(on: api)
            VerifiedStepRoutes(service: service, delivery: configuration.delivery).register(on: api)
            SecretMethodRoutes(service: service).register(on: api)
            RegistrationDecisionRoutes(service: service).register(on: api)
        }
        return router
    }

    /// The application, ready for `runService()` (which stops gracefully on SIGINT/SIGTERM).
    /// `onRunning` receives the bound port (useful with port 0). Throws when the TLS files cannot
    /// be read.
    public static func application(
        service: RegistrationService, configuration: Configuration, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        Application(
            router: try router(service: service, configuration: configuration),
            server: try serverBuilder(configuration),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "keybridge"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// HTTP/1.1, wrapped in TLS when certificate files are configured.
    static func serverBuilder(_ configuration: Configuration) throws -> HTTPServerBuilder {
        guard let tls = configuration.tls else { return .http1() }
        let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChain)
        let key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
        let settings = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        return try HTTPServerBuilder.tls(.http1(), tlsConfiguration: settings)
    }
}
