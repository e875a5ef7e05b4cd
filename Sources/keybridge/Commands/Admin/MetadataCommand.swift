import ArgumentParser
import Foundation
import KeyBridgeMetadata
import KeyBridgeRegistration
import X509

struct MetadataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "The FIDO Metadata Service (MDS3) list: key models, attestation roots, certification and status.",
        discussion: """
            keybridge never fetches it: download the BLOB from https://mds3.fidoalliance.org/ (a kiosk has no \
            internet) and import the file, for instance from a daily timer. The directory keeps one list; an \
            older list (a lower `no`) never replaces a newer one. The list names key models everywhere a key \
            is shown, and the tenant policy can trust attestations from it (fido2.trustMetadata), require a \
            certification level (fido2.minimumCertificationLevel) and refuses models reported compromised or \
            revoked (fido2.refuseCompromisedKeys, on by default).
            """,
        subcommands: [Import.self, Status.self, Show.self])

    /// The BLOB's signing chain ends at GlobalSign Root CA - R3 (the FIDO Alliance's MDS3 root), which Debian's
    /// ca-certificates ships.
    static let defaultRoot = "/etc/ssl/certs/GlobalSign_Root_CA_-_R3.pem"

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the signed MDS3 BLOB (verified), or a decoded payload with --unsigned.",
            discussion: """
                A BLOB (the JWT as downloaded) is verified: its certificate chain to the root (--root-cert, default \
                \(MetadataCommand.defaultRoot)), its signature, and its nextUpdate (a stale BLOB is refused). A \
                decoded payload (JSON: legalHeader, no, nextUpdate, entries) carries no signature and is taken only \
                with --unsigned, marked so (doctor warns). Nothing changes on a refusal (exit status 2). \
                JSON: {serial, nextUpdate, signed, entries, imported}.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Argument(help: ArgumentHelp("The BLOB or payload; - reads stdin.", valueName: "file")) var file: String
        @Flag(name: .long, help: "Take a decoded payload that has no signature (marked unsigned).") var unsigned = false
        @Option(name: .customLong("root-cert"), help: ArgumentHelp("The PEM root the BLOB's chain must end at.", valueName: "file"))
        var rootCert: String?

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let contents = Data(try InputFile.text(file).utf8)
                let summary = try await options.directory.existingService().importMetadata(
                    contents, unsigned: unsigned, trustAnchors: try anchors(), admin: options.actor, client: options.client.context)
                if output.json { return try Output.json(MetadataStatusJSON(summary)) }
                Output.line(
                    "Imported metadata number \(summary.serial): \(summary.entries) key models, "
                        + "\(summary.signed ? "signature verified" : "UNSIGNED"), next update \(MetadataStatusJSON.day(summary.nextUpdate)).")
            }
        }

        /// The root given, or the default one when it is there (none for a decoded payload is fine).
        private func anchors() throws(RegistrationError) -> [Certificate] {
            let path = rootCert ?? MetadataCommand.defaultRoot
            guard FileManager.default.fileExists(atPath: path) else {
                if rootCert != nil { throw .invalidInput("cannot read the root certificate \(path)") }
                return []
            }
            do {
                return [try Certificate(pemEncoded: try String(contentsOfFile: path, encoding: .utf8))]
            } catch {
                throw .invalidInput("\(path) is not a PEM certificate")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which metadata list the directory holds: number, entries, next update, signed or not.",
            discussion: "JSON: {serial, nextUpdate, signed, entries, imported, overdue}; {} when none was imported (exit status 0).")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions

        func run() async throws {
            try await Output.reporting(json: output.json) {
                guard let summary = try await options.directory.existingService().metadataSummary() else {
                    if output.json { return try Output.json([String: String]()) }
                    return Output.line("No FIDO metadata imported (keybridge admin metadata import FILE).")
                }
                let status = MetadataStatusJSON(summary)
                if output.json { return try Output.json(status) }
                Output.line("Metadata number \(status.serial): \(status.entries) key models, \(status.signed ? "signed" : "UNSIGNED").")
                Output.line("Next update \(status.nextUpdate)\(status.overdue ? " — overdue: import a newer BLOB" : ""); imported \(status.imported).")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One key model's metadata entry by AAGUID.",
            discussion: """
                JSON: {aaguid, description, certificationLevel, latestStatus, attestationRootCertificates (count), entry (the \
                list's own JSON for it)}. Exit status 11 when the list has no entry for it.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Argument(help: ArgumentHelp("The AAGUID (8-4-4-4-12).", valueName: "aaguid")) var aaguid: String


        func run() async throws {
            try await Output.reporting(json: output.json) {
                guard let entry = try await options.directory.existingService().metadataEntry(aaguid: aaguid.lowercased()) else {
                    throw RegistrationError.methodNotFound("no metadata entry for AAGUID \(aaguid.lowercased())")
                }
                let id = entry.aaguid ?? aaguid.lowercased()
                if output.json {
                    // The list's own JSON for the entry is passed through as it is.
                    let object: [String: Any] = [
                        "aaguid": id, "description": entry.description ?? NSNull(),
                        "certificationLevel": entry.certificationLevel?.status ?? NSNull(),
                        "latestStatus": entry.latestStatus?.status ?? NSNull(),
                        "attestationRootCertificates": entry.attestationRootCertificates.count,
                        "entry": (try? JSONSerialization.jsonObject(with: entry.json)) ?? NSNull(),
                    ]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                    return FileHandle.standardOutput.write(data + Data("\n".utf8))
                }
                Output.line("\(id)  \(entry.description ?? "(no description)")")
                Output.line("Certification: \(entry.certificationLevel?.status ?? "none")   latest status: \(entry.latestStatus?.status ?? "none")")
                Output.line("Attestation roots: \(entry.attestationRootCertificates.count)")
            }
        }
    }
}

/// The metadata list's summary as `--json` prints it.
struct MetadataStatusJSON: Encodable {
    var serial: Int
    var nextUpdate: String
    var signed: Bool
    var entries: Int
    var imported: String
    var overdue: Bool

    init(_ summary: MetadataSummary, now: Date = Date()) {
        serial = summary.serial
        nextUpdate = Self.day(summary.nextUpdate)
        signed = summary.signed
        entries = summary.entries
        imported = ISO8601DateFormatter().string(from: summary.imported)
        overdue = summary.isOverdue(at: now)
    }

    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}
