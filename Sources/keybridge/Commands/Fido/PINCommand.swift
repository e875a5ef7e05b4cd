import ArgumentParser
import KeyBridgeFIDO

struct PINCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin", abstract: "Set, change or inspect the key's PIN.",
        subcommands: [SetPIN.self, ChangePIN.self, Retries.self])

    struct SetPIN: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Set the first PIN on a key that has none.",
            discussion: "The new PIN is asked twice without echo, or read from --new-pin-file / KEYBRIDGE_NEW_PIN. JSON: {\"pinSet\": true}.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var deviceOptions: DeviceOptions
        @Option(name: .customLong("new-pin-file"), help: ArgumentHelp("Read the new PIN from this file.", valueName: "file"))
        var newPINFile: String?

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let newPIN = try PINInput.newPIN(file: newPINFile)
                let key = try await deviceOptions.open()
                defer { Task { await key.close() } }
                try await key.setPIN(newPIN, timeout: deviceOptions.timeoutDuration)
                if output.json { return try Output.json(["pinSet": true]) }
                Output.line("PIN set on \(key.descriptor.id).")
            }
        }
    }

    struct ChangePIN: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "change", abstract: "Change the key's PIN.",
            discussion: "The current PIN comes from --pin-file / KEYBRIDGE_PIN or a prompt; the new one from --new-pin-file / KEYBRIDGE_NEW_PIN or a prompt. JSON: {\"pinChanged\": true}.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var deviceOptions: DeviceOptions
        @OptionGroup var pinOptions: PINOptions
        @Option(name: .customLong("new-pin-file"), help: ArgumentHelp("Read the new PIN from this file.", valueName: "file"))
        var newPINFile: String?

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let current = try pinOptions.requiredPIN(prompt: "Current PIN: ")
                let newPIN = try PINInput.newPIN(file: newPINFile)
                let key = try await deviceOptions.open()
                defer { Task { await key.close() } }
                try await key.changePIN(from: current, to: newPIN, timeout: deviceOptions.timeoutDuration)
                if output.json { return try Output.json(["pinChanged": true]) }
                Output.line("PIN changed on \(key.descriptor.id).")
            }
        }
    }

    struct Retries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retries", abstract: "Show how many PIN (and built-in UV) attempts are left.",
            discussion: "JSON: {\"pinRetries\": N, \"uvRetries\": N|null}.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var deviceOptions: DeviceOptions

        struct Report: Encodable {
            var pinRetries: Int
            var uvRetries: Int?
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let key = try await deviceOptions.open()
                defer { Task { await key.close() } }
                let info = try await key.info()
                let report = Report(
                    pinRetries: try await key.pinRetries(),
                    uvRetries: info.supports("uv") ? try await key.uvRetries() : nil)
                if output.json { return try Output.json(report) }
                Output.line("PIN retries left: \(report.pinRetries)")
                if let uv = report.uvRetries { Output.line("UV retries left:  \(uv)") }
            }
        }
    }
}
