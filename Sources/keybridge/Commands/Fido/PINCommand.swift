import ArgumentParser
import KeyBridgeFIDO

struct PINCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin", abstract: "Set, change or inspect the key's PIN, or set its PIN policy.",
        subcommands: [SetPIN.self, ChangePIN.self, Retries.self, SetMinLength.self, ForceChange.self])

    /// `{minPINLength, forcePINChange}`: the PIN policy as getInfo reports it after a change.
    struct PolicyReport: Encodable {
        var minPINLength: Int
        var forcePINChange: Bool

        init(_ info: DeviceInfo) {
            minPINLength = info.minPINLength
            forcePINChange = info.forcePINChange
        }

        func show(json: Bool, device: String) throws {
            if json { return try Output.json(self) }
            Output.line("Minimum PIN length on \(device): \(minPINLength)")
            if forcePINChange { Output.line("The PIN must be changed before it can be used (`keybridge fido pin change`).") }
        }
    }

    struct SetMinLength: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-min-length", abstract: "Raise the key's minimum PIN length (CTAP 2.1 authenticatorConfig).",
            discussion: """
                The minimum can only rise. If the key has a PIN, it comes from --pin-file / KEYBRIDGE_PIN or a \
                prompt; a PIN shorter than the new minimum must then be changed before it works again. \
                --force-change demands a PIN change even when the PIN is long enough. Keys without \
                authenticatorConfig fail with "unsupported" (exit 8).
                JSON: {"minPINLength": N, "forcePINChange": true|false}, read back from the key.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var deviceOptions: DeviceOptions
        @OptionGroup var pinOptions: PINOptions
        @Argument(help: ArgumentHelp("The new minimum PIN length, in characters (up to 63).", valueName: "N"))
        var length: Int
        @Flag(name: .customLong("force-change"), help: "Also demand a PIN change before the PIN is used again.")
        var forceChange = false

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let key = try await deviceOptions.open()
                defer { Task { await key.close() } }
                let before = try await key.info()
                if forceChange && !before.hasPIN { throw KeyBridgeError.pinNotSet }
                let pin = before.hasPIN ? try pinOptions.requiredPIN() : nil
                try await key.setMinimumPINLength(length, pin: pin, timeout: deviceOptions.timeoutDuration)
                if forceChange, let pin { try await key.forcePINChange(pin: pin, timeout: deviceOptions.timeoutDuration) }
                try PolicyReport(try await key.info()).show(json: output.json, device: key.descriptor.id)
            }
        }
    }

    struct ForceChange: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "force-change", abstract: "Make the key refuse its PIN until the PIN is changed.",
            discussion: """
                Uses CTAP 2.1 authenticatorConfig. The current PIN comes from --pin-file / KEYBRIDGE_PIN or a \
                prompt. Afterwards every operation that needs the PIN fails with "pinPolicyViolation" (exit 4) \
                until `keybridge fido pin change` sets a new one.
                JSON: {"minPINLength": N, "forcePINChange": true}, read back from the key.
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var deviceOptions: DeviceOptions
        @OptionGroup var pinOptions: PINOptions

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let key = try await deviceOptions.open()
                defer { Task { await key.close() } }
                guard try await key.info().hasPIN else { throw KeyBridgeError.pinNotSet }
                let pin = try pinOptions.requiredPIN()
                try await key.forcePINChange(pin: pin, timeout: deviceOptions.timeoutDuration)
                try PolicyReport(try await key.info()).show(json: output.json, device: key.descriptor.id)
            }
        }
    }

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
