import ArgumentParser
import Foundation
import KeyBridgeRegistration

extension MFAEnforcement: ExpressibleByArgument {}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Add, change, list and show directory users.",
        subcommands: [Add.self, Change.self, List.self, Show.self, RevokeSessions.self])

    /// Reads a user, applies `change` and writes it back (validated and audited).
    static func edit(_ options: AdminOptions, upn: String, _ change: (inout DirectoryUser) -> Void) async throws -> DirectoryUser {
        let service = try await options.directory.existingService()
        guard var user = try await service.store.user(upn: upn) else { throw RegistrationError.userNotFound(upn) }
        change(&user)
        try await service.updateUser(user, admin: options.actor, client: options.client.context)
        return user
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user to a home tenant (and as a guest to resource tenants).",
            discussion: """
                --mfa-enforcement says how MFA registration is enforced for the user: \
                identityProtection, perUserMFA, conditionalAccess or none (default). JSON: the user.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long, help: ArgumentHelp("User principal name.", valueName: "upn")) var upn: String
        @Option(name: .customLong("display-name"), help: "The name people see.") var displayName: String
        @Option(name: .customLong("home-tenant"), help: ArgumentHelp("The home tenant.", valueName: "id")) var homeTenant: String
        @Option(name: .customLong("guest-tenant"), help: ArgumentHelp("A resource tenant (repeatable).", valueName: "id"))
        var guestTenants: [String] = []
        @Option(name: .customLong("business-phone"), help: "The Business phone property (office phone in interrupt mode).")
        var businessPhone: String?
        @Option(name: .customLong("group"), help: ArgumentHelp("A group (repeatable).", valueName: "name")) var groups: [String] = []
        @Option(name: .customLong("mfa-enforcement"), help: "identityProtection, perUserMFA, conditionalAccess or none.")
        var mfaEnforcement = MFAEnforcement.none

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let user = DirectoryUser(
                    upn: upn, displayName: displayName, homeTenant: homeTenant, guestTenants: guestTenants,
                    businessPhone: businessPhone, groups: groups, mfaEnforcement: mfaEnforcement)
                try await options.directory.existingService().addUser(user, admin: options.actor, client: options.client.context)
                if output.json { return try Output.json(user) }
                Output.line("Added \(upn) to \(homeTenant).")
            }
        }
    }

    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Change a user's directory record (only the options given).",
            discussion: "JSON: the user as it is now.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long, help: ArgumentHelp("User principal name.", valueName: "upn")) var upn: String
        @Option(name: .customLong("display-name")) var displayName: String?
        @Option(name: .customLong("guest-tenant"), help: ArgumentHelp("Replace the guest tenants (repeatable).", valueName: "id"))
        var guestTenants: [String] = []
        @Flag(name: .customLong("no-guest-tenants"), help: "Remove every guest membership.") var noGuestTenants = false
        @Option(name: .customLong("business-phone"), help: "The Business phone property (empty to clear).") var businessPhone: String?
        @Option(name: .customLong("mfa-enforcement"), help: "identityProtection, perUserMFA, conditionalAccess or none.")
        var mfaEnforcement: MFAEnforcement?

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let user = try await UserCommand.edit(options, upn: upn) { user in
                    if let displayName { user.displayName = displayName }
                    if noGuestTenants { user.guestTenants = [] } else if !guestTenants.isEmpty { user.guestTenants = guestTenants }
                    if let businessPhone { user.businessPhone = businessPhone.isEmpty ? nil : businessPhone }
                    if let mfaEnforcement { user.mfaEnforcement = mfaEnforcement }
                }
                if output.json { return try Output.json(user) }
                Output.line("Changed \(upn).")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users (of one tenant, home or guest).", discussion: "JSON: [user].")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long, help: ArgumentHelp("Only members of this tenant.", valueName: "id")) var tenant: String?

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let users = try await options.directory.existingService().store.users(tenant: tenant)
                if output.json { return try Output.json(users) }
                for user in users { Output.line("\(user.upn)  \(user.displayName)  home=\(user.homeTenant)  groups=\(user.groups.joined(separator: ","))") }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one user.", discussion: "JSON: the user.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long, help: ArgumentHelp("User principal name.", valueName: "upn")) var upn: String

        func run() async throws {
            try await Output.reporting(json: output.json) {
                guard let user = try await options.directory.existingService().store.user(upn: upn) else {
                    throw RegistrationError.userNotFound(upn)
                }
                if output.json { return try Output.json(user) }
                Output.line("\(user.upn) (\(user.displayName)), home \(user.homeTenant), guest in \(user.guestTenants.joined(separator: ", ")), groups \(user.groups.joined(separator: ", ")), MFA enforcement \(user.mfaEnforcement.rawValue)")
            }
        }
    }

    struct RevokeSessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke-sessions",
            abstract: "End every browser and API session of a user in a tenant (e.g. after a lost key or phone).",
            discussion: """
                Sessions live in the directory, so every server sharing it refuses them at once; the user \
                signs in again with a proof. Audited as revokeSessions. JSON: {user, tenant, revoked}.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @OptionGroup var subject: SubjectOptions

        struct Revoked: Encodable {
            var user: String
            var tenant: String
            var revoked: Int
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let service = try await options.directory.existingService()
                let tenant = try await subject.resolvedTenant(service)
                let ended = try await service.revokeUserSessions(
                    upn: subject.user, tenant: tenant, actor: .admin, by: options.actor, client: options.client.context)
                if output.json { return try Output.json(Revoked(user: subject.user, tenant: tenant, revoked: ended)) }
                Output.line("Ended \(ended) session\(ended == 1 ? "" : "s") of \(subject.user) in \(tenant).")
            }
        }
    }
}
