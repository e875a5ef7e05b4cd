import ArgumentParser
import KeyBridgeFIDO

struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials", abstract: "List or delete discoverable credentials on the key (needs the PIN).",
        subcommands: [List.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List discoverable credentials.",
            discussion: "JSON: {\"storage\": {existing, remaining}, \"credentials\": [{rpId, credentialId, userId, userName, userDisplayName, credProtect, algorithm}]}.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var deviceOptions: DeviceOptions
        @OptionGroup var pinOptions: PINOptions
        @Option(name: .long, help: ArgumentHelp("Only this relying party.", valueName: "id")) var rp: String?

        struct Report: Encodable {
            var storage: CredentialStorage
            var credentials: [StoredCredential]
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let pin = try pinOptions.requiredPIN()
                let key = try await deviceOptions.open()
                defer { Task { await key.close() } }
                let storage = try await key.credentialStorage(pin: pin)
                let credentials = try await key.discoverableCredentials(rpID: rp, pin: pin)
                if output.json { return try Output.json(Report(storage: storage, credentials: credentials)) }
                Output.line("\(storage.existing) discoverable credentials, room for \(storage.remaining) more.")
                for credential in credentials {
                    Output.line("\(credential.rpId)\t\(credential.userName ?? "")\t\(credential.credentialId)")
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete a discoverable credential.",
            discussion: "JSON: {\"deleted\": CREDENTIAL_ID}.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var deviceOptions: DeviceOptions
        @OptionGroup var pinOptions: PINOptions
        @Option(name: .customLong("credential"), parsing: .unconditional, help: ArgumentHelp("Credential id, base64url.", valueName: "b64url"))
        var credential: String

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let id = try BinaryArgument.decode(credential, option: "--credential")
                let pin = try pinOptions.requiredPIN()
                let key = try await deviceOptions.open()
                defer { Task { await key.close() } }
                try await key.deleteCredential(id: id, pin: pin)
                if output.json { return try Output.json(["deleted": credential]) }
                Output.line("Deleted credential \(credential).")
            }
        }
    }
}
