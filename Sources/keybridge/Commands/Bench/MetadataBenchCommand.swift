import ArgumentParser
import Foundation
import KeyBridgeRegistration

/// `keybridge bench metadata`: what a registration pays to know its key model — the FIDO metadata
/// entry for one AAGUID, read from the directory (an indexed lookup) and decoded.
struct MetadataBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Time the FIDO metadata lookup a registration makes (directory lookup by AAGUID and decoding).",
        discussion: """
            Needs an imported list (keybridge admin metadata import). JSON: [{operation, count, minimum, median, p95, \
            mean, maximum}] in milliseconds: "lookup+decode" (what a registration pays) and "lookup" (the store alone).
            """)

    @OptionGroup var output: OutputOptions
    @OptionGroup var directory: DirectoryOptions
    @Option(name: .long, help: ArgumentHelp("The AAGUID to look up.", valueName: "aaguid")) var aaguid: String
    @Option(name: .long, help: "Timed lookups (the parent bench command has its own --iterations).") var lookups = 10_000

    func validate() throws { try OptionRange.check(lookups, "--lookups", 1...10_000_000) }

    func run() async throws {
        try await Output.reporting(json: output.json) {
            let service = try await directory.existingService()
            let key = aaguid.lowercased()
            guard try await service.metadataEntry(aaguid: key) != nil else {
                throw RegistrationError.methodNotFound("no metadata entry for AAGUID \(key): import a list that has it first")
            }
            let clock = ContinuousClock()
            var decoded: [Duration] = []
            var stored: [Duration] = []
            for _ in 0..<lookups {
                decoded.append(try await clock.measure { _ = try await service.metadataEntry(aaguid: key) })
                stored.append(try await clock.measure { _ = try await service.store.metadataEntry(aaguid: key) })
            }
            let rows = [LatencySummary(operation: "lookup+decode", samples: decoded), LatencySummary(operation: "lookup", samples: stored)]
            if output.json { return try Output.json(rows) }
            Output.line(LatencySummary.header)
            rows.forEach { Output.line($0.row) }
        }
    }
}
