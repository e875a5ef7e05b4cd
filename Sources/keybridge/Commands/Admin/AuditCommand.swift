import ArgumentParser
import Foundation
import KeyBridgeRegistration

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

    func validate() throws {
        if let limit { try OptionRange.check(limit, "--limit", 1...1_000_000) }
    }

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
            let query = AuditQuery(tenant: tenant, upn: user, action: action, failures: failures ? true : nil, since: start)
            var events = try await options.directory.existingService().store.allAuditEvents(matching: query)
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
