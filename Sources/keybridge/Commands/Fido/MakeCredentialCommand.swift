import ArgumentParser
import KeyBridgeFIDO

struct MakeCredentialCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-credential",
        abstract: "Register the key with a relying party (authenticatorMakeCredential).",
        discussion: """
            Prints a WebAuthn RegistrationResponseJSON with --json, ready for any relying party's \
            verifier. If the key has a PIN it is asked for (or read from --pin-file / KEYBRIDGE_PIN).

            Example:
              keybridge fido make-credential --rp example.com --user alice \\
                --challenge "$(head -c32 /dev/urandom | basenc --base64url)" \\
                --origin https://example.com --json
            """)

    @OptionGroup var output: OutputOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @OptionGroup var pinOptions: PINOptions
    @OptionGroup var clientData: ClientDataOptions

    @Option(name: .long, help: ArgumentHelp("Relying party id (a domain).", valueName: "id")) var rp: String
    @Option(name: .customLong("rp-name"), help: "Relying party display name.") var rpName: String?
    @Option(name: .long, help: ArgumentHelp("Account name (e.g. UPN or e-mail).", valueName: "name")) var user: String
    @Option(name: .customLong("user-id"), parsing: .unconditional, help: ArgumentHelp("User handle, base64url (default: 32 random bytes).", valueName: "b64url"))
    var userID: String?
    @Option(name: .customLong("display-name"), help: "Name shown to people.") var displayName: String?
    @Option(
        name: .customLong("alg"),
        help: ArgumentHelp("Algorithms in order of preference: es256, eddsa, rs256 (comma-separated).", valueName: "list"))
    var algorithms = "es256,eddsa,rs256"
    @Flag(name: [.customLong("resident-key"), .customLong("discoverable")], help: "Make a discoverable credential.")
    var residentKey = false
    @Flag(name: .customLong("uv"), help: "Require user verification (PIN or built-in).") var userVerification = false
    @Option(name: .customLong("exclude"), parsing: .unconditionalSingleValue, help: ArgumentHelp("A credential id (base64url) already registered; repeatable.", valueName: "b64url"))
    var exclude: [String] = []
    @Option(name: .customLong("cred-protect"), help: ArgumentHelp("credProtect level 1, 2 or 3.", valueName: "level"))
    var credProtect: Int?
    @Flag(name: .customLong("hmac-secret"), help: "Create an hmac-secret with the credential.") var hmacSecret = false
    @Option(name: .customLong("cred-blob"), parsing: .unconditional, help: ArgumentHelp("A credBlob to store, base64url.", valueName: "b64url"))
    var credBlob: String?
    @Flag(name: .customLong("min-pin-length"), help: "Ask for the minPinLength extension.") var minPINLength = false

    func validate() throws {
        if let credProtect { try OptionRange.check(credProtect, "--cred-protect", 1...3) }
    }

    func run() async throws {
        try await Output.reporting(json: output.json) {
            var request = MakeCredentialRequest(
                relyingParty: RelyingParty(id: rp, name: rpName),
                user: UserEntity(
                    id: try userID.map { try BinaryArgument.decode($0, option: "--user-id") }
                        ?? BinaryArgument.random(count: 32),
                    name: user, displayName: displayName),
                clientData: try clientData.input())
            request.algorithms = try algorithms.split(separator: ",").map { name in
                guard let algorithm = COSEAlgorithm(name: String(name)) else {
                    throw KeyBridgeError.invalidArgument("unknown algorithm \"\(name)\" (use es256, eddsa or rs256)")
                }
                return algorithm
            }
            request.residentKey = residentKey
            request.userVerification = userVerification
            request.excludeCredentials = try exclude.map { try BinaryArgument.decode($0, option: "--exclude") }
            if let credProtect {
                guard let level = CredentialProtection(rawValue: credProtect) else {
                    throw KeyBridgeError.invalidArgument("--cred-protect must be 1, 2 or 3")
                }
                request.credentialProtection = level
            }
            request.hmacSecret = hmacSecret
            request.credentialBlob = try credBlob.map { try BinaryArgument.decode($0, option: "--cred-blob") }
            request.minPINLength = minPINLength
            request.timeout = deviceOptions.timeoutDuration

            let key = try await deviceOptions.open()
            defer { Task { await key.close() } }
            let info = try await key.info()
            if info.hasPIN { request.pin = try pinOptions.requiredPIN() }
            let prompt = TouchPrompt(timeout: request.timeout)
            defer { prompt.finish() }
            let response = try await key.makeCredential(request, onTouchNeeded: prompt.callback)
            prompt.finish()
            if output.json { return try Output.json(response) }
            let algorithm = COSEAlgorithm(rawValue: response.response.publicKeyAlgorithm)?.name ?? "?"
            Output.line("Registered \(user) at \(rp) on \(key.descriptor.id).")
            Output.line("Credential id: \(response.id)")
            Output.line("Algorithm:     \(algorithm)\(residentKey ? ", discoverable" : "")")
        }
    }
}
