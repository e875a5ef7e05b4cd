import Foundation
@testable import KeyBridgeRegistration
@testable import KeyBridgeRegistrationPostgres
import PostgresNIO
import Testing

/// What only the PostgreSQL store has: its URL, connecting, TLS, migrations, indexes, shutdown.
@Suite("PostgreSQL store: URL, connection, migrations")
struct PostgresStoreTests {
    @Test("A TCP URL gives host, port, user, password, database and TLS mode")
    func aTCPURLIsRead() throws {
        let url = try PostgresDirectoryURL("postgres://kb:s%40cret@db.example.com:6543/directory?sslmode=require")
        #expect(url.endpoint == .tcp(host: "db.example.com", port: 6543))
        #expect(url.username == "kb")
        #expect(url.password == "s@cret")
        #expect(url.database == "directory")
        #expect(url.tls == .require)
        #expect(!url.description.contains("cret"), "the password is never shown")

        let defaults = try PostgresDirectoryURL("postgresql://kb@localhost")
        #expect(defaults.endpoint == .tcp(host: "localhost", port: 5432))
        #expect(defaults.database == "kb", "the database defaults to the user's name, as with libpq")
        #expect(defaults.tls == .prefer)
        #expect(defaults.password == nil)
        #expect(defaults.maximumConnections == 10)
    }

    @Test("A socket URL names the socket file in the folder, for the port")
    func aSocketURLNamesTheSocketFile() throws {
        let url = try PostgresDirectoryURL("postgres://kb@/directory?host=/run/postgresql")
        #expect(url.endpoint == .unixSocket(path: "/run/postgresql/.s.PGSQL.5432"))
        let other = try PostgresDirectoryURL("postgres://kb@/directory?host=/tmp/pg/&port=55432&pool_max_conns=3")
        #expect(other.endpoint == .unixSocket(path: "/tmp/pg/.s.PGSQL.55432"))
        #expect(other.maximumConnections == 3)
    }

    @Test(
        "A wrong URL is refused with invalidInput naming what is wrong",
        arguments: [
            ("mysql://kb@host/db", "postgres://"),
            ("postgres://host/db", "no user"),
            ("postgres://kb@/db", "no host"),
            ("postgres://kb@host/db?sslmode=always", "sslmode"),
            ("postgres://kb@host/db?port=99999", "port"),
            ("postgres://kb@host/db?tls=on", "unknown parameter tls"),
            ("postgres://kb@/db?host=/run/postgresql&sslmode=require", "Unix socket"),
            ("postgres://kb@host/db?pool_max_conns=0", "pool_max_conns"),
        ])
    func aWrongURLIsRefused(url: String, mentions: String) {
        do {
            _ = try PostgresDirectoryURL(url)
            Issue.record("\(url) was accepted")
        } catch {
            guard case .invalidInput(let message) = error else {
                Issue.record("expected invalidInput, got \(error)")
                return
            }
            #expect(message.contains(mentions), "\(message)")
        }
    }

    @Test("A password in a refused URL is not repeated in the error")
    func aPasswordIsNotRepeatedInTheError() {
        do {
            _ = try PostgresDirectoryURL("postgres://kb:hunter2@host/db?sslmode=sometimes")
            Issue.record("accepted")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }

    @Test("sslmode=require fails against the test server, which has no TLS")
    func requireFailsWithoutTLS() async throws {
        var location = try testPostgresURL()
        location.tls = .require
        do {
            let store = try await PostgresRegistrationStore(location: location)
            await store.shutdown()
            Issue.record("connected without TLS although sslmode=require")
        } catch {
            guard case .store(let message) = error else {
                Issue.record("expected a store error, got \(error)")
                return
            }
            #expect(message.contains("TLS"), "\(message)")
        }
    }

    @Test("A wrong database is refused at open with a store error, quickly")
    func aWrongDatabaseIsRefusedAtOpen() async throws {
        let location = try testPostgresURL().with(database: "kb_does_not_exist")
        let started = ContinuousClock.now
        do {
            let store = try await PostgresRegistrationStore(location: location)
            await store.shutdown()
            Issue.record("opened a database that does not exist")
        } catch {
            guard case .store(let message) = error else {
                Issue.record("expected a store error, got \(error)")
                return
            }
            #expect(message.contains("kb_does_not_exist"), "\(message)")
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("The store works over the cluster's Unix socket")
    func theStoreWorksOverTheUnixSocket() async throws {
        let tcp = try testPostgresURL()
        guard case .tcp(_, let port) = tcp.endpoint else {
            Issue.record("the test URL is not a TCP URL")
            return
        }
        let database = try await TestDatabase.create()
        let socket = try PostgresDirectoryURL(
            "postgres://\(tcp.username)@/\(database.name)?host=/tmp/keybridge-test-env/pg&port=\(port)")
        let store = try await PostgresRegistrationStore(location: socket)
        try await store.save(tenant: Tenant(id: "contoso", name: "Contoso"))
        #expect(try await store.tenants().map(\.id) == ["contoso"])
        await store.shutdown()
        try await database.drop()
    }

    @Test("Two servers migrating an empty database at once both succeed, once")
    func twoServersMigratingAtOnceBothSucceed() async throws {
        let database = try await TestDatabase.create()
        let location = database.location
        async let first = PostgresRegistrationStore(location: location)
        async let second = PostgresRegistrationStore(location: location)
        let stores = try await [first, second]
        for store in stores {
            #expect(try await store.schemaVersion() == PostgresRegistrationStore.latestSchemaVersion)
        }
        #expect(try await stores[0].migrate() == PostgresRegistrationStore.latestSchemaVersion, "idempotent")
        let rows = try await database.rows("SELECT COUNT(*) FROM keybridge_schema_migrations")
        #expect(try rows.first?.decode(Int.self) == PostgresMigrations.all.count, "each version recorded once")
        for store in stores { await store.shutdown() }
        try await database.drop()
    }

    @Test("Opening without migrating reports an empty database as version 0")
    func openingWithoutMigratingReportsVersionZero() async throws {
        let database = try await TestDatabase.create()
        let store = try await PostgresRegistrationStore(location: database.location, migrate: false)
        #expect(try await store.schemaVersion() == 0)
        #expect(try await store.migrate() == PostgresRegistrationStore.latestSchemaVersion)
        #expect(try await store.schemaVersion() == PostgresRegistrationStore.latestSchemaVersion)
        await store.shutdown()
        try await database.drop()
    }

    @Test("Migration 3 gives users saved before it their object ids")
    func migrationThreeFillsInObjectIDs() async throws {
        let database = try await TestDatabase.create()
        var store = try await PostgresRegistrationStore(location: database.location)
        try await store.save(tenant: Tenant(id: "contoso", name: "Contoso"))
        let users = (0..<25).map { Sample.user("user\($0)@contoso.com") } + [Sample.user("Zoë@contoso.com")]
        for user in users { try await store.save(user: user) }
        await store.shutdown()
        // Back to version 2, as a directory made before object ids were stored.
        _ = try await database.rows("DROP INDEX users_by_object_id")
        _ = try await database.rows("ALTER TABLE users DROP COLUMN object_id")
        _ = try await database.rows("DELETE FROM keybridge_schema_migrations WHERE version = 3")
        store = try await PostgresRegistrationStore(location: database.location)
        for user in users { #expect(try await store.user(objectID: user.objectID) == user) }
        await store.shutdown()
        try await database.drop()
    }

    @Test("Every query of the store has its index")
    func everyQueryHasItsIndex() async throws {
        let database = try await TestDatabase.create()
        let store = try await PostgresRegistrationStore(location: database.location)
        let rows = try await database.rows("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")
        let definitions = try rows.map { try $0.decode(String.self) }.joined(separator: "\n")
        for expected in [
            "ON public.methods USING btree (tenant, upn, kind)", "ON public.methods USING btree (tenant, credential_id)",
            "ON public.challenges USING btree (challenge)", "ON public.challenges USING btree (expires)",
            "ON public.audit USING btree (tenant, seq)", "ON public.audit USING btree (tenant, upn, seq)",
            "ON public.audit USING btree (\"time\", seq)", "ON public.user_tenants USING btree (tenant, upn)",
            "ON public.failed_attempts USING btree (key, \"time\")", "ON public.hardware_tokens USING btree (tenant, serial)",
            "ON public.access_passes USING btree (tenant, upn, seq)", "ON public.api_tokens USING btree (tenant, created, seq)",
            "ON public.users USING btree (object_id, upn)",
        ] {
            #expect(definitions.contains(expected), "missing index \(expected)")
        }
        await store.shutdown()
        try await database.drop()
    }

    @Test("After shutdown a call fails with a store error")
    func afterShutdownACallFails() async throws {
        let database = try await TestDatabase.create()
        let store = try await PostgresRegistrationStore(location: database.location)
        try await store.save(tenant: Tenant(id: "contoso", name: "Contoso"))
        await store.shutdown()
        await #expect(throws: RegistrationError.self) { try await store.tenants() }
        try await database.drop()
    }
}
