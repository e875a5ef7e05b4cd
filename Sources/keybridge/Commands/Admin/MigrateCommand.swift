import ArgumentParser
import Foundation
import KeyBridgeRegistration
import KeyBridgeRegistrationPostgres

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring the directory's schema up to this keybridge's version.",
        discussion: """
            Runs the pending migrations (SQLite: the file's; PostgreSQL: under an advisory lock, so \
            servers starting at the same time do not collide) and reports the schema version. Safe to \
            run again. JSON: {directory, schemaVersion}.
            """)
    @OptionGroup var output: OutputOptions
    @OptionGroup var options: AdminOptions

    struct Migrated: Encodable {
        var directory: String
        var schemaVersion: String
    }

    func run() async throws {
        try await Output.reporting(json: output.json) {
            let version: String
            if let url = options.directory.sharedURL {
                let store = try await PostgresRegistrationStore(url: url, migrate: false)
                do {
                    version = String(try await store.migrate())
                    await store.shutdown()
                } catch {
                    await store.shutdown()
                    throw error
                }
            } else {
                version = try SQLiteRegistrationStore.migrate(path: options.directory.location.databasePath)
            }
            let migrated = Migrated(directory: options.directory.displayName, schemaVersion: version)
            if output.json { return try Output.json(migrated) }
            Output.line("\(migrated.directory) is at schema \(version).")
        }
    }
}
