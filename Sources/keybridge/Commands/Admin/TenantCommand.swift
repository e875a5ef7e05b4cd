import ArgumentParser
import Foundation
import KeyBridgeFIDO
import KeyBridgeRegistration

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Add and list tenants (directories).", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a tenant with its relying party (and the directory file, if it is new).",
            discussion: """
                Without --policy-file the tenant gets the default policies (security keys, authenticator \
                apps, hardware tokens, phone and e-mail for everyone; SSPR off; any network). With it, \
                the document (JSON or YAML, as `policy show` prints) must carry the relying party. \
                JSON: {tenant, name, relyingParty, origin}.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long, help: ArgumentHelp("The tenant id, e.g. contoso.", valueName: "id")) var id: String
        @Option(name: .long, help: "Its display name (default: the id).") var name: String?
        @Option(name: .customLong("rp-id"), help: ArgumentHelp("Relying party id of its keys, e.g. contoso.com.", valueName: "domain"))
        var rpID: String?
        @Option(name: .long, help: ArgumentHelp("The web origin, e.g. https://login.contoso.com.", valueName: "url")) var origin: String?
        @Option(name: .customLong("policy-file"), help: ArgumentHelp("A policy document (.json, .yaml).", valueName: "file"))
        var policyFile: String?

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let configuration: TenantConfiguration
                if let policyFile {
                    configuration = try DocumentFormat.guess(policyFile).decode(TenantConfiguration.self, from: try InputFile.text(policyFile))
                } else {
                    guard let rpID, let origin else {
                        throw RegistrationError.invalidInput("give --rp-id and --origin, or a --policy-file that has them")
                    }
                    if let problem = TenantConfiguration.originProblem(origin: origin, relyingPartyID: rpID) {
                        throw RegistrationError.invalidInput(problem)
                    }
                    configuration = TenantConfiguration.standard(
                        relyingParty: RelyingParty(id: rpID, name: name ?? id), origin: origin)
                }
                let service = try await options.directory.service()
                try await service.createTenant(
                    Tenant(id: id, name: name ?? id), configuration: configuration, admin: options.actor, client: options.client.context)
                if output.json {
                    return try Output.json(
                        ["tenant": id, "name": name ?? id, "relyingParty": configuration.relyingParty.id, "origin": configuration.origin])
                }
                Output.line("Created tenant \(id) (relying party \(configuration.relyingParty.id)) in \(options.directory.displayName).")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List tenants.", discussion: "JSON: [{id, name, relyingParty, origin, users}].")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions

        struct Row: Encodable {
            var id: String
            var name: String
            var relyingParty: String?
            var origin: String?
            var users: Int
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let service = try await options.directory.existingService()
                let users = try await service.store.users()
                var rows: [Row] = []
                for tenant in try await service.store.tenants() {
                    let configuration = try await service.store.configuration(tenant: tenant.id)
                    rows.append(Row(
                        id: tenant.id, name: tenant.name, relyingParty: configuration?.relyingParty.id, origin: configuration?.origin,
                        users: users.filter { $0.isMember(of: tenant.id) }.count))
                }
                if output.json { return try Output.json(rows) }
                for row in rows { Output.line("\(row.id)  \(row.name)  rp=\(row.relyingParty ?? "-")  users=\(row.users)") }
            }
        }
    }
}
