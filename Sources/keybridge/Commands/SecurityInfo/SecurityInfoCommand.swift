import ArgumentParser
import Foundation
import KeyBridgeGraphClient
import KeyBridgeRegistration

struct SecurityInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security-info",
        abstract: "A user's security info (combined MFA and password-reset registration), in a local directory or through a server.",
        discussion: """
            Opening someone's security info is manage mode: once the user has a method that serves MFA \
            (or the tenant's access rule demands it) they prove MFA first — a code from an \
            authenticator app or hardware token (--otp-code), a Temporary Access Pass (--tap-file or \
            KEYBRIDGE_TAP), or a registered security key (--mfa-device); on a terminal it is asked \
            for. The tenant's access rule (allowed networks, trusted devices) is checked with this \
            machine's address and host name (--client-address, --client-device). Every action and \
            refusal is in the audit log (`keybridge admin audit`).

            THROUGH A SERVER
              With --server URL (or KEYBRIDGE_SERVER) and --token-file FILE (or KEYBRIDGE_TOKEN_FILE), \
              every command works through a `keybridge serve` — its Graph API and \
              keybridge's own resources — instead of a local directory (a contact's code is sent by \
              the server, an app's secret made there): the key stays on this machine, the directory is the \
              server's. The API token (`keybridge admin token issue --scope manage read`) authorizes \
              the change on the user's behalf instead of MFA; the server checks its access rule with \
              this connection's address, verifies the key and audits as the token. Prompts, PIN \
              handling, --json shapes and exit codes are those of a local directory. --server and \
              --directory are mutually exclusive. Through a server, `delete` removes what Graph has a \
              resource for (not security questions or app passwords), `default` goes through \
              Graph's signInPreferences, and `list` cannot show a key's credential id \
              or signature counter (Graph does not return them).

            EXIT STATUS (besides the key's codes in `keybridge --help`)
              11  no such user, tenant or method
              12  MFA needed or not accepted, the access rule refused this machine, or the server
                  refused the API token
              13  the method table or the tenant's policy does not allow it
              14  the directory could not be read or written, or the server could not be reached,
                  failed (HTTP 5xx) or answered with something that is not its API
            """,
        subcommands: [
            List.self, SecurityInfoAddCommand.self, Delete.self, Default.self, Review.self,
        ])

    /// Opens the page, changes one method, and prints `{key: method}` or `sentence`.
    static func change(
        _ gate: SecurityInfoGate, _ output: OutputOptions, method: String, key: String, sentence: String,
        local: @escaping @Sendable (ManageSession) async throws -> Void,
        remote: @escaping @Sendable (GraphClient, RegisteredMethod) async throws -> Void
    ) async throws {
        try await Output.reporting(json: output.json, catalog: gate.directory.catalog) {
            if let client = try await gate.remote() {
                // Through a server: the method is looked up there first (an unknown id is refused alike).
                guard let found = try await client.methods(user: gate.subject.user).methods.first(where: { $0.id == method }) else {
                    throw RegistrationError.methodNotFound(method)
                }
                try await remote(client, found)
            } else {
                let (_, session) = try await gate.open(key == "deleted" ? "delete" : key)
                try await local(session)
            }
            if output.json { return try Output.json([key: method]) }
            Output.line(sentence)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the user's methods (* marks the default MFA method).",
            discussion: """
                JSON: {user, tenant, methods: [{id, kind, name, value, friendlyName, isDefault, created, servesMFA, \
                servesSSPR, securityKey?: {credentialId, aaguid, attestation, model, signCount}}]}. Through a \
                server, securityKey has no credentialId or signCount (Graph does not return them) and \
                attestation is basic or none; tenant is absent when the server does not say it (Entra).
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var gate: SecurityInfoGate

        struct Listing: Encodable {
            var user: String
            /// Always known locally; through a server that does not say (Entra), absent.
            var tenant: String?
            var methods: [MethodJSON]
        }

        func run() async throws {
            let catalog = gate.directory.catalog
            try await Output.reporting(json: output.json, catalog: catalog) {
                let listing: Listing
                if let remote = try await gate.remote() {
                    let list = try await remote.methods(user: gate.subject.user)
                    listing = Listing(
                        user: gate.subject.user, tenant: list.tenant, methods: list.methods.map { MethodJSON($0, catalog: catalog) })
                } else {
                    let (_, session) = try await gate.open("list")
                    listing = Listing(
                        user: session.user.upn, tenant: session.tenant,
                        methods: try await session.methods().map { MethodJSON($0, catalog: catalog) })
                }
                let methods = listing.methods
                if output.json { return try Output.json(listing) }
                Output.line("Security info of \(listing.user) in \(listing.tenant ?? "the API token's tenant"):")
                if methods.isEmpty { Output.line("  (none)") }
                for method in methods { Output.line(method.line) }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a method (a hardware token goes back to the inventory).",
            discussion: """
                JSON: {deleted: ID}. A security key stays on the key itself: delete it there with \
                `keybridge fido credentials delete`. Through a server (--server), every method Graph \
                has a resource for is deleted there (keys, phones, e-mail, authenticator apps, \
                hardware tokens); security questions and app passwords only on the directory itself.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var gate: SecurityInfoGate
        @Option(name: .long, help: ArgumentHelp("The method's id (from `list`).", valueName: "id")) var method: String

        func run() async throws {
            let user = gate.subject.user
            try await SecurityInfoCommand.change(
                gate, output, method: method, key: "deleted", sentence: "Deleted \(method).",
                local: { try await $0.delete(methodID: method) },
                remote: { try await $0.deleteMethod(user: user, id: method, kind: $1.kind) })
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
            let user = gate.subject.user
            try await SecurityInfoCommand.change(
                gate, output, method: method, key: "default", sentence: "\(method) is now the default MFA method.",
                local: { try await $0.setDefault(methodID: method) },
                // Graph's signInPreferences, naming the method; the server's rules decide.
                remote: { try await $0.setDefaultMethod(user: user, id: method, kind: $1.kind) })
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
                let upn = gate.subject.user
                let decision: RemoteRegistrationDecision
                var confirmed = false
                if let remote = try await gate.remote() {
                    // The server decides and, for a due review, confirms it (its rule, not this client's).
                    decision = try await remote.registrationDecision(user: upn, resourceRequiresMFA: resourceRequiresMFA)
                    if confirm {
                        try await remote.confirmReview(user: upn)
                        confirmed = true
                    }
                } else {
                    let service = try await gate.directory.existingService()
                    let tenant = try await gate.subject.resolvedTenant(service)
                    let local = try await service.interrupt(
                        upn: upn, tenant: tenant, client: gate.client.context, resourceRequiresMFA: resourceRequiresMFA)
                    if confirm {
                        guard local.action == .review else {
                            throw RegistrationError.invalidInput("no review is due for \(upn) (sign-in decides: \(local.action.rawValue))")
                        }
                        let proof = try await gate.mfa.proof(service: service, upn: upn, tenant: tenant, devices: gate.devices, pin: gate.pin)
                        try await service.openReview(upn: upn, tenant: tenant, client: gate.client.context, proof: proof).confirm()
                        confirmed = true
                    }
                    decision = RemoteRegistrationDecision(
                        action: local.action.rawValue, shownMethods: local.shownMethods, alternatives: local.alternatives,
                        reviewMethods: local.reviewMethods)
                }
                let result = Decision(
                    action: decision.action, shownMethods: decision.shownMethods.map(\.rawValue),
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
