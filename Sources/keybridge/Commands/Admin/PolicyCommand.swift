import ArgumentParser
import Foundation
import KeyBridgeRegistration

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show or replace a tenant's policies as a JSON or YAML document.",
        discussion: """
            The document holds: relyingParty {id, name}, origin, challengeLifetimeSeconds; \
            authenticationMethods {enabled: {METHOD: {allUsers, groups, excludedGroups}}, fido2 \
            {selfServiceSetup, enforceAttestation, keyRestriction {mode: none|allow|block, aaguids}, \
            trustAnchors [PEM], requireResidentKey, requireUserVerification}, voiceCallsEnabled, \
            temporaryAccessPass {lifetimeMinutes, oneTime}, authenticatorPasswordless, \
            virtualNumberPrefixes}; sspr {scope: off|all|group, group, methodsRequired 1-2, \
            allowedMethods, requireRegistrationAtSignIn, reconfirmDays 0-730}; registrationAccess \
            {allowedNetworks [CIDR], trustedDevices, requireMFA, allowFirstRegistrationWithoutProof \
            (default false: a user with no method needs a Temporary Access Pass)}. METHOD is one of authenticatorApp, \
            otherAuthenticatorApp, hardwareToken, phone, alternatePhone, officePhone, email, \
            securityQuestions, appPassword, fido2SecurityKey. To edit: show > file, change it, set.
            """,
        subcommands: [Show.self, Replace.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a tenant's policy document.")
        @OptionGroup var options: AdminOptions
        @Option(name: .long, help: ArgumentHelp("The tenant.", valueName: "id")) var tenant: String
        @Option(name: .long, help: "json or yaml.") var format = DocumentFormat.json

        func run() async throws {
            try await Output.reporting(json: false) {
                let service = try await options.directory.existingService()
                let configuration = try await service.configuration(tenant)
                FileHandle.standardOutput.write(Data(try format.encode(configuration).utf8))
                if let warning = configuration.access.firstRegistrationWarning { Output.note("warning: " + warning) }
            }
        }
    }

    struct Replace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Replace a tenant's policies with a document (validated first; nothing changes if it is bad).",
            discussion: "JSON: {tenant, changed: true}.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long, help: ArgumentHelp("The tenant.", valueName: "id")) var tenant: String
        @Option(name: .long, help: ArgumentHelp("The document; - reads stdin.", valueName: "file")) var file: String
        @Option(name: .long, help: "json or yaml (default: by the file's extension; JSON for stdin).") var format: DocumentFormat?

        struct Changed: Encodable {
            var tenant: String
            var changed: Bool
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let configuration = try (format ?? DocumentFormat.guess(file)).decode(
                    TenantConfiguration.self, from: try InputFile.text(file))
                let service = try await options.directory.existingService()
                try await service.setConfiguration(configuration, tenant: tenant, admin: options.actor, client: options.client.context)
                if output.json { return try Output.json(Changed(tenant: tenant, changed: true)) }
                Output.line("Replaced the policies of \(tenant).")
            }
        }
    }
}
