import ArgumentParser
import Foundation
import KeyBridgeRegistration

extension APIScope: ExpressibleByArgument {}

struct APITokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "API tokens for `keybridge serve` (hardware OATH tokens are `admin tokens`).",
        discussion: """
            A token is sent as `Authorization: Bearer kb_<id>_<secret>`. Only a salted hash of the \
            secret is stored; the token is shown once. Scopes: read (users, methods, policies), \
            manage (add/delete methods and security keys on a user's behalf, issue passes), kiosk, \
            admin (everything).
            """,
        subcommands: [Issue.self, List.self, Revoke.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue an API token (shown once).",
            discussion: "JSON: {id, token, name, tenant, scopes, expires}.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long, help: ArgumentHelp("A name for the token, shown in the audit log and the server's log.", valueName: "name"))
        var name: String
        @Option(name: .long, help: ArgumentHelp("The tenant it may act in (default: every tenant).", valueName: "id"))
        var tenant: String?
        @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("One or more of read, manage, kiosk, admin.", valueName: "scope"))
        var scope: [APIScope]
        @Option(name: .long, help: ArgumentHelp("Lifetime in days (default: no expiry).", valueName: "days"))
        var days: Int?

        struct Issued: Encodable {
            var id: String
            var token: String
            var name: String
            var tenant: String?
            var scopes: [String]
            var expires: String?
        }

        func validate() throws {
            if let days, !(1...1826).contains(days) { throw ValidationError("--days must be between 1 and 1826 (5 years)") }
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let service = try await options.directory.existingService()
                let (token, record) = try await service.issueAPIToken(
                    name: name, tenant: tenant, scopes: scope, lifetime: days.map { TimeInterval($0) * 86_400 }, admin: options.actor,
                    client: options.client.context)
                let issued = Issued(
                    id: record.id, token: token, name: record.name, tenant: record.tenant, scopes: record.scopes.map(\.rawValue),
                    expires: record.expires.map { ISO8601DateFormatter().string(from: $0) })
                if output.json { return try Output.json(issued) }
                Output.line("API token \(record.name) (\(record.id)): \(token)")
                Output.line("Shown once. Scopes: \(issued.scopes.joined(separator: ", ")); tenant: \(record.tenant ?? "every tenant").")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List API tokens (never their secrets).",
            discussion: "JSON: [{id, name, tenant, scopes, created, expires, revoked, issuedBy}].")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long, help: ArgumentHelp("Only tokens of this tenant.", valueName: "id")) var tenant: String?

        struct Row: Encodable {
            var id, name: String
            var tenant: String?
            var scopes: [String]
            var created: String
            var expires: String?
            var revoked: Bool
            var issuedBy: String
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let formatter = ISO8601DateFormatter()
                let rows = try await options.directory.existingService().store.apiTokens(tenant: tenant).map {
                    Row(
                        id: $0.id, name: $0.name, tenant: $0.tenant, scopes: $0.scopes.map(\.rawValue), created: formatter.string(from: $0.created),
                        expires: $0.expires.map(formatter.string(from:)), revoked: $0.revoked, issuedBy: $0.issuedBy)
                }
                if output.json { return try Output.json(rows) }
                for row in rows {
                    Output.line("\(row.id)  \(row.name)  \(row.tenant ?? "*")  \(row.scopes.joined(separator: ","))\(row.revoked ? "  revoked" : "")")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token by id.", discussion: "JSON: {revoked: ID}.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long, help: ArgumentHelp("The token's id (from `list`).", valueName: "id")) var id: String

        func run() async throws {
            try await Output.reporting(json: output.json) {
                try await options.directory.existingService().revokeAPIToken(id: id, admin: options.actor, client: options.client.context)
                if output.json { return try Output.json(["revoked": id]) }
                Output.line("Revoked \(id).")
            }
        }
    }
}
