import ArgumentParser
import Foundation
import KeyBridgeRegistration

struct SecurityInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security-info",
        abstract: "A user's security info (combined MFA and password-reset registration) in the embedded directory.",
        discussion: """
            Opening someone's security info is manage mode: once the user has a method that serves MFA \
            (or the tenant's access rule demands it) they prove MFA first — a code from an \
            authenticator app or hardware token (--otp-code), a Temporary Access Pass (--tap-file or \
            KEYBRIDGE_TAP), or a registered security key (--mfa-device); on a terminal it is asked \
            for. The tenant's access rule (allowed networks, trusted devices) is checked with this \
            machine's address and host name (--client-address, --client-device). Every action and \
            refusal is in the audit log (`keybridge admin audit`).

            EXIT STATUS (besides the key's codes in `keybridge --help`)
              11  no such user, tenant or method
              12  MFA needed or not accepted, or the access rule refused this machine
              13  the method table or the tenant's policy does not allow it
              14  the directory could not be read or written
            """,
        subcommands: [
            List.self, SecurityInfoAddCommand.self, Delete.self, Default.self, Review.self,
        ])

    /// Opens the page, changes one method, and prints `{key: method}` or `sentence`.
    static func change(
        _ gate: SecurityInfoGate, _ output: OutputOptions, method: String, key: String, sentence: String,
        _ body: @escaping @Sendable (ManageSession) async throws -> Void
    ) async throws {
        try await Output.reporting(json: output.json, catalog: gate.directory.catalog) {
            let (_, session) = try await gate.open()
            try await body(session)
            if output.json { return try Output.json([key: method]) }
            Output.line(sentence)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the user's methods (* marks the default MFA method).",
            discussion: """
                JSON: {user, tenant, methods: [{id, kind, name, value, friendlyName, isDefault, created, servesMFA, \
                servesSSPR, securityKey?: {credentialId, aaguid, attestation, model, signCount}}]}.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var gate: SecurityInfoGate

        struct Listing: Encodable {
            var user: String
            var tenant: String
            var methods: [MethodJSON]
        }

        func run() async throws {
            let catalog = gate.directory.catalog
            try await Output.reporting(json: output.json, catalog: catalog) {
                let (_, session) = try await gate.open()
                let methods = try await session.methods().map { MethodJSON($0, catalog: catalog) }
                if output.json { return try Output.json(Listing(user: session.user.upn, tenant: session.tenant, methods: methods)) }
                Output.line("Security info of \(session.user.upn) in \(session.tenant):")
                if methods.isEmpty { Output.line("  (none)") }
                for method in methods { Output.line(method.line) }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a method (a hardware token goes back to the inventory).",
            discussion: "JSON: {deleted: ID}. A security key stays on the key itself: delete it there with `keybridge fido credentials delete`.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var gate: SecurityInfoGate
        @Option(name: .long, help: ArgumentHelp("The method's id (from `list`).", valueName: "id")) var method: String

        func run() async throws {
            try await SecurityInfoCommand.change(gate, output, method: method, key: "deleted", sentence: "Deleted \(method).") {
                try await $0.delete(methodID: method)
            }
        }
    }

    struct Default: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a method the default for MFA.",
            discussion: """
                Only Microsoft Authenticator (push or passwordless), an authenticator app or hardware \
                token (code), and a phone (call or text) can be the default. JSON: {default: ID}.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var gate: SecurityInfoGate
        @Option(name: .long, help: ArgumentHelp("The method's id (from `list`).", valueName: "id")) var method: String

        func run() async throws {
            try await SecurityInfoCommand.change(
                gate, output, method: method, key: "default", sentence: "\(method) is now the default MFA method."
            ) { try await $0.setDefault(methodID: method) }
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What sign-in would ask of the user now (interrupt mode), and confirm a due review.",
            discussion: """
                Prints the decision: none, register, registerSkippable (only SSPR asks: it may be \
                skipped) or review (the re-confirm interval passed), the methods shown by default (most \
                secure first), the alternatives ("set up a different method") and, for a review, every \
                registered method. With --confirm a review is confirmed (MFA first, as for the page).
                JSON: {action, shownMethods, alternatives, reviewMethods: [method], confirmed}.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var gate: SecurityInfoGate
        @Flag(name: .customLong("resource-requires-mfa"), help: "The resource being opened requires MFA (conditional-access users).")
        var resourceRequiresMFA = false
        @Flag(name: .long, help: "Confirm the security info is up to date (restarts the re-confirm interval).") var confirm = false

        struct Decision: Encodable {
            var action: String
            var shownMethods: [String]
            var alternatives: [String]
            var reviewMethods: [MethodJSON]
            var confirmed: Bool
        }

        func run() async throws {
            let catalog = gate.directory.catalog
            try await Output.reporting(json: output.json, catalog: catalog) {
                let service = try await gate.directory.existingService()
                let tenant = try await gate.subject.resolvedTenant(service)
                let upn = gate.subject.user
                let decision = try await service.interrupt(
                    upn: upn, tenant: tenant, client: gate.client.context, resourceRequiresMFA: resourceRequiresMFA)
                var confirmed = false
                if confirm {
                    guard decision.action == .review else {
                        throw RegistrationError.invalidInput("no review is due for \(upn) (sign-in decides: \(decision.action.rawValue))")
                    }
                    let proof = try await gate.mfa.proof(service: service, upn: upn, tenant: tenant, devices: gate.devices, pin: gate.pin)
                    try await service.openReview(upn: upn, tenant: tenant, client: gate.client.context, proof: proof).confirm()
                    confirmed = true
                }
                let result = Decision(
                    action: decision.action.rawValue, shownMethods: decision.shownMethods.map(\.rawValue),
                    alternatives: decision.alternatives.map(\.rawValue),
                    reviewMethods: decision.reviewMethods.map { MethodJSON($0, catalog: catalog) }, confirmed: confirmed)
                if output.json { return try Output.json(result) }
                Output.line("At sign-in: \(result.action)")
                if !decision.shownMethods.isEmpty {
                    Output.line("Shown: " + decision.shownMethods.map(catalog.name(of:)).joined(separator: ", "))
                }
                if !decision.alternatives.isEmpty {
                    Output.line("\(catalog.text("prompt.setUpDifferentMethod")): " + decision.alternatives.map(catalog.name(of:)).joined(separator: ", "))
                }
                for method in result.reviewMethods { Output.line(method.line) }
                if confirmed { Output.line("Confirmed.") }
            }
        }
    }
}
