import ArgumentParser
import KeyBridgeRegistration

struct AddAuthenticatorApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authenticator-app",
        abstract: "Add an authenticator app: scan the otpauth URI, then type the app's current code.",
        discussion: """
            The secret is made by the directory (here, or the server with --server) and shown once, as an otpauth:// URI on stderr (most apps read it \
            as a QR code: `qrencode -t ansiutf8 URI`). The app is added only when its current code \
            is typed back (read from stdin). --microsoft registers it as Microsoft Authenticator \
            (push and passwordless capable); otherwise it is another TOTP app. At most five of each. \
            JSON: {method}.
            """)
    @OptionGroup var output: OutputOptions
    @OptionGroup var gate: SecurityInfoGate
    @Option(name: .long, help: ArgumentHelp("A name, e.g. the phone's.", valueName: "text")) var name = "Authenticator app"
    @Flag(name: .long, help: "Microsoft Authenticator rather than another TOTP app.") var microsoft = false

    func run() async throws {
        let catalog = gate.directory.catalog
        try await Output.reporting(json: output.json, catalog: catalog) {
            let kind: MethodKind = microsoft ? .authenticatorApp : .otherAuthenticatorApp
            func show(_ uri: String, passwordless: Bool) {
                Output.note("Add this account to your app (shown once): \(uri)")
                if passwordless { Output.note(catalog.text("prompt.enablePasswordless")) }
            }
            let method: RegisteredMethod
            if let remote = try await gate.remote() {
                // The server makes the secret and keeps the step until the app's code comes back.
                let user = gate.subject.user
                let step = try await remote.beginAppRegistration(user: user, kind: kind, displayName: name)
                show(step.otpauthURI, passwordless: step.requiresPasswordlessSignInInApp)
                method = try await remote.completeAppRegistration(
                    user: user, kind: kind, id: step.id, code: try LineInput.ask("Current code from the app: "))
            } else {
                let (_, session) = try await gate.open("add \(Self.configuration.commandName ?? "")")
                let pending = try await session.beginAuthenticatorApp(kind: kind, label: name)
                show(pending.otpauthURI, passwordless: pending.requiresPasswordlessSignInInApp)
                method = try await session.completeAuthenticatorApp(pending, code: try LineInput.ask("Current code from the app: "))
            }
            if output.json { return try Output.json(["method": MethodJSON(method, catalog: catalog)]) }
            Output.line("Added \(catalog.name(of: method.kind)) \"\(method.displayValue)\" [\(method.id)].")
        }
    }
}

struct AddHardwareToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hardware-token",
        abstract: "Activate an OATH hardware token an administrator imported for you.",
        discussion: "Give the serial number on its back; then type the code it shows (read from stdin). JSON: {method}.")
    @OptionGroup var output: OutputOptions
    @OptionGroup var gate: SecurityInfoGate
    @Option(name: .long, help: ArgumentHelp("The token's serial number.", valueName: "serial")) var serial: String

    func run() async throws {
        let catalog = gate.directory.catalog
        try await Output.reporting(json: output.json, catalog: catalog) {
            let prompt = "Code shown on token \(serial): "
            let method: RegisteredMethod
            if let remote = try await gate.remote() {
                method = try await remote.activateHardwareToken(user: gate.subject.user, serial: serial, code: try LineInput.ask(prompt))
            } else {
                let (_, session) = try await gate.open("add \(Self.configuration.commandName ?? "")")
                method = try await session.activateHardwareToken(serial: serial, code: try LineInput.ask(prompt))
            }
            if output.json { return try Output.json(["method": MethodJSON(method, catalog: catalog)]) }
            Output.line("Activated \(method.displayValue) [\(method.id)].")
        }
    }
}
