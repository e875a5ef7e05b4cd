import ArgumentParser

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Administer the embedded directory: tenants, users, groups, policies, passes, tokens, audit.",
        discussion: """
            The directory is a SQLite file (--directory, $KEYBRIDGE_DIRECTORY, or the default path; \
            see `keybridge security-info --help`). `tenant add` creates it. Every change is written to \
            the audit log with the admin's name (--admin, default the login name) and this machine.
            Exit status as for `keybridge security-info`; 2 for a bad document or value.
            """,
        subcommands: [
            TenantCommand.self, UserCommand.self, GroupCommand.self, PolicyCommand.self, PassCommand.self,
            TokensCommand.self, APITokenCommand.self, AuditCommand.self, MigrateCommand.self, MetadataCommand.self,
        ])
}
