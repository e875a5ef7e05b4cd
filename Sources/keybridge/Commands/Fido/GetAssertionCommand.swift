import ArgumentParser
import KeyBridgeFIDO

struct GetAssertionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get-assertion",
        abstract: "Sign in with the key (authenticatorGetAssertion).",
        discussion: """
            With --credential the key signs with that credential; without, it uses a discoverable \
            credential for the RP. --json prints one WebAuthn AuthenticationResponseJSON (the first \
            credential); add --all to print a JSON array of every matching discoverable credential.
            """)

    @OptionGroup var output: OutputOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @OptionGroup var pinOptions: PINOptions
    @OptionGroup var clientData: ClientDataOptions

    @Option(name: .long, help: ArgumentHelp("Relying party id.", valueName: "id")) var rp: String
    @Option(name: .customLong("credential"), parsing: .unconditionalSingleValue, help: ArgumentHelp("Allowed credential id (base64url); repeatable.", valueName: "b64url"))
    var credentials: [String] = []
    @Flag(name: .customLong("uv"), help: "Require user verification (PIN or built-in).") var userVerification = false
    @Flag(name: .customLong("no-up"), help: "Do not ask for a touch (silent assertion).") var noUserPresence = false
    @Option(name: .customLong("hmac-salt"), parsing: .unconditional, help: ArgumentHelp("hmac-secret salt, 32 or 64 bytes base64url.", valueName: "b64url"))
    var hmacSalt: String?
    @Flag(name: .long, help: "Print every assertion the key returns as a JSON array.") var all = false

    func run() async throws {
        try await Output.reporting(json: output.json) {
            var request = GetAssertionRequest(relyingPartyID: rp, clientData: try clientData.input())
            request.allowCredentials = try credentials.map { try BinaryArgument.decode($0, option: "--credential") }
            request.userVerification = userVerification
            request.userPresence = !noUserPresence
            request.hmacSalt = try hmacSalt.map { try BinaryArgument.decode($0, option: "--hmac-salt") }
            request.timeout = deviceOptions.timeoutDuration
            let key = try await deviceOptions.open()
            defer { Task { await key.close() } }
            if userVerification, try await key.info().hasPIN { request.pin = try pinOptions.requiredPIN() }
            let prompt = TouchPrompt(timeout: request.timeout)
            defer { prompt.finish() }
            let responses = try await key.getAssertion(request, onTouchNeeded: prompt.callback)
            prompt.finish()
            guard let first = responses.first else { throw KeyBridgeError.noCredentials }
            if output.json { return all ? try Output.json(responses) : try Output.json(first) }
            for response in all ? responses : [first] {
                let user = response.response.userHandle.map { " (user handle \($0))" } ?? ""
                Output.line("Signed in to \(rp) with credential \(response.id)\(user).")
            }
        }
    }
}
