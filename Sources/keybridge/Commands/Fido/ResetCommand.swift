import ArgumentParser
import Foundation
import KeyBridgeFIDO

struct ResetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset", abstract: "Erase every credential and the PIN on the key.",
        discussion: """
            Asks for confirmation unless --yes is given (required with --json or without a terminal). \
            Real keys accept a reset only within seconds of being inserted, and need a touch. \
            JSON: {"reset": true}.
            """)
    @OptionGroup var output: OutputOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @Flag(name: .long, help: "Do not ask for confirmation.") var yes = false

    func run() async throws {
        try await Output.reporting(json: output.json) {
            let descriptor = try deviceOptions.discovery.device(id: deviceOptions.device)
            if !yes {
                guard !output.json, isatty(STDIN_FILENO) != 0 else {
                    throw KeyBridgeError.invalidArgument("a reset erases every credential: confirm with --yes")
                }
                Output.note("This erases every credential and the PIN on \(descriptor.id). Type \"yes\" to continue:")
                guard readLine()?.lowercased() == "yes" else { throw KeyBridgeError.cancelled }
            }
            let key = try await SecurityKey.open(descriptor)
            defer { Task { await key.close() } }
            let prompt = TouchPrompt(message: "Touch your security key to confirm the reset", timeout: deviceOptions.timeoutDuration)
            defer { prompt.finish() }
            try await key.reset(timeout: deviceOptions.timeoutDuration, onTouchNeeded: prompt.callback)
            prompt.finish()
            if output.json { return try Output.json(["reset": true]) }
            Output.line("\(descriptor.id) has been reset.")
        }
    }
}
