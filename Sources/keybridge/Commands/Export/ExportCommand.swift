import ArgumentParser
import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export registered keys for other software.", subcommands: [PamU2F.self])

    struct PamU2F: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pam-u2f",
            abstract: "Write the pam_u2f authfile line for a user's registered security keys.",
            discussion: """
                All of the user's keys in the tenant go on one line (pam_u2f reads only a login's last \
                line). pam_u2f checks assertions against the relying party id given as its origin= \
                option, so the PAM line must name the tenant's relying party, e.g.
                  auth sufficient pam_u2f.so authfile=/etc/u2f_mappings origin=contoso.com cue
                (printed on stderr). pam_u2f 1.1 (Debian 12) takes ES256 and RS256 keys only; others \
                are skipped and named. With --output the line replaces the login's line in that file.
                JSON: {login, origin, line, credentials, skipped: [{credentialId, reason}]}.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var directory: DirectoryOptions
        @OptionGroup var subject: SubjectOptions
        @Option(name: .long, help: ArgumentHelp("The Linux login name (default: the UPN's part before @).", valueName: "name"))
        var login: String?
        @Option(name: .long, help: ArgumentHelp("Merge the line into this authfile (created if missing).", valueName: "file"))
        var file: String?
        @Flag(name: .long, help: "Ask pam_u2f for the key's PIN (+pin).") var pin = false
        @Flag(name: .long, help: "Ask pam_u2f for user verification (+verification).") var verification = false

        struct Result: Encodable {
            var login: String
            var origin: String
            var line: String
            var credentials: Int
            var skipped: [PamU2FExport.Skipped]
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let service = try await directory.existingService()
                let tenant = try await subject.resolvedTenant(service)
                let export = try await PamU2FExport.build(
                    service: service, upn: subject.user, tenant: tenant, login: login, pin: pin, verification: verification)
                if let file {
                    let existing = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
                    do {
                        try PamU2FAuthfile.merge(export.line, into: existing).write(toFile: file, atomically: true, encoding: .utf8)
                    } catch {
                        throw RegistrationError.invalidInput("cannot write \(file): \(error.localizedDescription)")
                    }
                }
                for entry in export.skipped { Output.note("skipped \(entry.credentialId): \(entry.reason)") }
                Output.note("PAM: auth sufficient pam_u2f.so authfile=\(file ?? "FILE") origin=\(export.origin) cue")
                if output.json {
                    return try Output.json(
                        Result(login: export.login, origin: export.origin, line: export.line, credentials: export.credentials, skipped: export.skipped))
                }
                if file == nil { Output.line(export.line) } else { Output.line("Wrote \(export.credentials) key(s) for \(export.login) to \(file!).") }
            }
        }
    }
}
