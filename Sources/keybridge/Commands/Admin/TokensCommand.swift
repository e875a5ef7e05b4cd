import ArgumentParser
import Foundation
import KeyBridgeRegistration

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "The OATH hardware-token inventory.", subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import tokens from CSV: upn,serial number,secret key,time interval,manufacturer,model.",
            discussion: """
                RFC 4180 CSV (quoted fields may hold commas, quotes and newlines). Secrets are Base32 \
                and sealed at rest; the interval is 30 or 60. Every row is checked first; then either \
                all tokens are imported in one transaction, or — when any row is bad — none is, and \
                each bad row is reported with the line it starts on (exit status 2). An interrupted \
                import leaves nothing behind. A progress line is shown on a terminal. \
                JSON: {imported: [serial], errors: [{line, message}]}.
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
                let showsProgress = isatty(STDERR_FILENO) == 1
                let result = try await options.directory.existingService().importHardwareTokens(
                    csv: try InputFile.text(file), tenant: tenant, admin: options.actor, client: options.client.context
                ) { checked, total in
                    guard showsProgress, total >= 1000 else { return }
                    FileHandle.standardError.write(Data("\rChecking rows: \(checked)/\(total)".utf8))
                    if checked == total { FileHandle.standardError.write(Data("\n".utf8)) }
                }
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
                let rows = try await options.directory.existingService().store.tokens(tenant: tenant).map {
                    Row(serial: $0.serial, upn: $0.upn, manufacturer: $0.manufacturer, model: $0.model, interval: $0.interval,
                        activated: $0.activatedMethodID != nil)
                }
                if output.json { return try Output.json(rows) }
                for row in rows { Output.line("\(row.serial)  \(row.upn)  \(row.manufacturer) \(row.model)  \(row.activated ? "active" : "in inventory")") }
            }
        }
    }
}
