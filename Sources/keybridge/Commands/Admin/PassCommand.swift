import ArgumentParser
import Foundation
import KeyBridgeRegistration

struct PassCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tap", abstract: "Temporary Access Passes.", subcommands: [Issue.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a Temporary Access Pass for a user (shown once; only a salted hash is kept).",
            discussion: """
                The tenant's policy sets its lifetime and whether it works once. The pass proves MFA to \
                open the user's security info, e.g. to register a first security key. \
                JSON: {user, tenant, pass, expires, oneTime}.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @OptionGroup var subject: SubjectOptions

        struct Issued: Encodable {
            var user: String
            var tenant: String
            var pass: String
            var expires: String
            var oneTime: Bool
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let service = try await options.directory.existingService()
                let tenant = try await subject.resolvedTenant(service)
                let (pass, expires, _) = try await service.issueTemporaryAccessPass(
                    upn: subject.user, tenant: tenant, admin: options.actor, client: options.client.context)
                let issued = Issued(
                    user: subject.user, tenant: tenant, pass: pass, expires: ISO8601DateFormatter().string(from: expires),
                    oneTime: try await service.configuration(tenant).methods.temporaryAccessPassOneTime)
                if output.json { return try Output.json(issued) }
                Output.line("Temporary Access Pass for \(subject.user) in \(tenant): \(pass)")
                Output.line("Valid until \(issued.expires)\(issued.oneTime ? ", once" : "").")
            }
        }
    }
}
