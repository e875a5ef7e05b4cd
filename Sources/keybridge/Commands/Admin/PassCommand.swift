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
                let service = try options.directory.existingService()
                let tenant = try subject.resolvedTenant(service)
                let (pass, expires) = try service.issueTemporaryAccessPass(
                    upn: subject.user, tenant: tenant, admin: options.actor, client: options.client.context)
                let issued = Issued(
                    user: subject.user, tenant: tenant, pass: pass, expires: ISO8601DateFormatter().string(from: expires),
                    oneTime: try service.configuration(tenant).methods.temporaryAccessPassOneTime)
                if output.json { return try Output.json(issued) }
                Output.line("Temporary Access Pass for \(subject.user) in \(tenant): \(pass)")
                Output.line("Valid until \(issued.expires)\(issued.oneTime ? ", once" : "").")
            }
        }
    }
}

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "The OATH hardware-token inventory.", subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import tokens from CSV: upn,serial number,secret key,time interval,manufacturer,model.",
            discussion: """
                Secrets are Base32 and sealed at rest; the interval is 30 or 60. A bad row imports \
                nothing and is reported with its line number; the good rows are imported. Exit status 2 \
                when any row was rejected. JSON: {imported: [serial], errors: [{line, message}]}.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long, help: ArgumentHelp("The tenant the tokens belong to.", valueName: "id")) var tenant: String
        @Option(name: .long, help: ArgumentHelp("The CSV file; - reads stdin.", valueName: "file")) var file: String

        struct Report: Encodable {
            struct RowError: Encodable {
                var line: Int
                var message: String
            }
            var imported: [String]
            var errors: [RowError]
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let result = try options.directory.existingService().importHardwareTokens(
                    csv: try InputFile.text(file), tenant: tenant, admin: options.actor, client: options.client.context)
                let report = Report(imported: result.imported, errors: result.errors.map { .init(line: $0.line, message: $0.message) })
                if output.json {
                    try Output.json(report)
                } else {
                    Output.line("Imported \(report.imported.count) token(s).")
                    for error in report.errors { Output.line("line \(error.line): \(error.message)") }
                }
                if !report.errors.isEmpty { throw ExitCode(2) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a tenant's tokens and whom they are activated for.",
            discussion: "JSON: [{serial, upn, manufacturer, model, interval, activated}] (never the secret).")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long, help: ArgumentHelp("The tenant.", valueName: "id")) var tenant: String

        struct Row: Encodable {
            var serial: String
            var upn: String
            var manufacturer: String
            var model: String
            var interval: Int
            var activated: Bool
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let rows = try options.directory.existingService().store.tokens(tenant: tenant).map {
                    Row(serial: $0.serial, upn: $0.upn, manufacturer: $0.manufacturer, model: $0.model, interval: $0.interval,
                        activated: $0.activatedMethodID != nil)
                }
                if output.json { return try Output.json(rows) }
                for row in rows { Output.line("\(row.serial)  \(row.upn)  \(row.manufacturer) \(row.model)  \(row.activated ? "active" : "in inventory")") }
            }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Query the audit log: every start, registration, change, delete, default change, review and refusal.",
        discussion: "JSON: [{time, tenant, upn, actor, mode, client, action, outcome, reason}], oldest first.")
    @OptionGroup var output: OutputOptions
    @OptionGroup var options: AdminOptions
    @Option(name: .long, help: ArgumentHelp("Only this tenant.", valueName: "id")) var tenant: String?
    @Option(name: .long, help: ArgumentHelp("Only this user (or admin).", valueName: "upn")) var user: String?
    @Option(name: .long, help: ArgumentHelp("Only this action, e.g. register.", valueName: "name")) var action: String?
    @Flag(name: .long, help: "Only refusals and failures.") var failures = false
    @Option(name: .long, help: ArgumentHelp("Only events at or after this ISO 8601 time.", valueName: "time")) var since: String?
    @Option(name: .long, help: ArgumentHelp("At most this many (the newest).", valueName: "n")) var limit: Int?

    struct Row: Encodable {
        var time: String
        var tenant: String
        var upn: String
        var actor: String
        var mode: String
        var client: String
        var action: String
        var outcome: String
        var reason: String?
    }

    func run() async throws {
        try await Output.reporting(json: output.json) {
            let start: Date?
            if let since {
                guard let date = ISO8601DateFormatter().date(from: since) else {
                    throw RegistrationError.invalidInput("--since must be an ISO 8601 time such as 2026-11-25T09:00:00Z")
                }
                start = date
            } else {
                start = nil
            }
            var events = try options.directory.existingService().store.auditEvents(tenant: tenant).filter { event in
                (user == nil || event.upn == user) && (action == nil || event.action == action)
                    && (!failures || event.outcome == .failure) && (start.map { event.time >= $0 } ?? true)
            }
            if let limit { events = Array(events.suffix(max(0, limit))) }
            let formatter = ISO8601DateFormatter()
            let rows = events.map {
                Row(time: formatter.string(from: $0.time), tenant: $0.tenant, upn: $0.upn, actor: $0.actor.rawValue, mode: $0.mode.rawValue,
                    client: $0.client, action: $0.action, outcome: $0.outcome.rawValue, reason: $0.reason)
            }
            if output.json { return try Output.json(rows) }
            for row in rows {
                Output.line("\(row.time)  \(row.tenant)  \(row.upn)  \(row.actor)/\(row.mode)  \(row.action) \(row.outcome)\(row.reason.map { " (\($0))" } ?? "")  \(row.client)")
            }
        }
    }
}
