import ArgumentParser
import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration

struct SecurityInfoAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a method, each through its own verification.",
        subcommands: [
            AddSecurityKey.self, AddContact.self, AddAuthenticatorApp.self, AddHardwareToken.self,
            AddSecurityQuestions.self, AddAppPassword.self,
        ])
}

struct AddSecurityKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security-key",
        abstract: "Register a FIDO2 security key (USB, or tapped on an NFC reader).",
        discussion: """
            Opens manage mode (the only place keys are added), takes the session's WebAuthn \
            options, sets a PIN if the key has none (--new-pin-file or KEYBRIDGE_NEW_PIN, else asked \
            twice), asks for a touch, and hands the key's answer back for verification (attestation, \
            AAGUID policy, duplicates) before anything is stored. If storing fails, the credential is \
            deleted from the key again. JSON: {method, credential: RegistrationResponseJSON, pinSet}.
            """,
        aliases: ["fido2"])
    @OptionGroup var output: OutputOptions
    @OptionGroup var gate: SecurityInfoGate
    @Option(name: .customLong("new-pin-file"), help: ArgumentHelp("The PIN to set on a key without one.", valueName: "file"))
    var newPINFile: String?
    @Option(name: .long, help: ArgumentHelp("A name for the key, e.g. \"Blue key\".", valueName: "text")) var name: String?

    struct Result: Encodable {
        var method: MethodJSON
        var credential: RegistrationResponseJSON
        var pinSet: Bool
    }

    func run() async throws {
        let catalog = gate.directory.catalog
        try await Output.reporting(json: output.json, catalog: catalog) {
            let (_, session) = try await gate.open()
            let key = try await AddSecurityKey.openKey(gate.devices, catalog: catalog)
            defer { Task { await key.close() } }
            let info = try await key.info()
            let plan: PINPlan = info.hasPIN
                ? .existing(try gate.pin.requiredPIN(prompt: "PIN of the new key: "))
                : .new(try PINInput.newPIN(file: newPINFile), minimumLength: nil, forceChangeAfterwards: false)
            let prompt = TouchPrompt(message: catalog.text("prompt.touchKey"), timeout: gate.devices.timeoutDuration)
            defer { prompt.finish() }
            let enrollment = KeyEnrollment(session: session, key: key, timeout: gate.devices.timeoutDuration)
            let enrolled = try await enrollment.enroll(pin: plan, friendlyName: name) { step in
                if step == .touchKey { prompt.show() }
            }
            prompt.finish()
            let method = MethodJSON(enrolled.method, catalog: catalog)
            if output.json { return try Output.json(Result(method: method, credential: enrolled.response, pinSet: enrolled.pinWasSet)) }
            Output.line("Registered \(method.value) for \(session.user.upn) in \(session.tenant).")
            Output.line("Method id:     \(method.id)")
            Output.line("Credential id: \(enrolled.response.id)")
            if enrolled.pinWasSet { Output.line("The key's new PIN is set.") }
        }
    }
}

extension AddSecurityKey {
    /// The key named by --device; else the one key present; else asks for one and waits for it
    /// (USB or a tap on the reader) until --timeout.
    static func openKey(_ devices: DeviceOptions, catalog: MessageCatalog) async throws -> SecurityKey {
        if devices.device != nil || !devices.discovery.devices().isEmpty { return try await devices.open() }
        Output.note(catalog.text("kiosk.key.insert"))
        let descriptor = try await withThrowingTaskGroup(of: DeviceDescriptor.self) { group in
            group.addTask {
                try await KeyArrival.wait(discovery: devices.discovery) { Output.note(catalog.text("kiosk.key.oneAtATime")) }
            }
            group.addTask {
                try await Task.sleep(for: devices.timeoutDuration)
                throw KeyBridgeError.deviceNotFound("no key was inserted or tapped within \(Int(devices.timeout)) seconds")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        return try await SecurityKey.open(descriptor)
    }
}

struct AddContact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact",
        abstract: "Add a phone, alternate phone, office phone or e-mail address, verified by a one-time code.",
        discussion: """
            A 6-digit code goes to the number or address (the embedded directory writes it to \
            outbox.jsonl beside the directory file); type it when asked (it is read from stdin). \
            Alternate phone needs voice calls enabled; virtual numbers are refused. JSON: {method}.
            """)
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case phone, alternatePhone = "alternate-phone", officePhone = "office-phone", email

        var methodKind: MethodKind {
            switch self {
            case .phone: .phone
            case .alternatePhone: .alternatePhone
            case .officePhone: .officePhone
            case .email: .email
            }
        }
    }
    @OptionGroup var output: OutputOptions
    @OptionGroup var gate: SecurityInfoGate
    @Option(name: .long, help: ArgumentHelp("phone, alternate-phone, office-phone or email.", valueName: "kind")) var kind: Kind
    @Option(name: .long, help: ArgumentHelp("The number (+1 212 555 0100) or address.", valueName: "text")) var value: String

    func run() async throws {
        let catalog = gate.directory.catalog
        try await Output.reporting(json: output.json, catalog: catalog) {
            let (_, session) = try await gate.open()
            let pending = try session.beginContact(
                kind.methodKind, destination: value, delivery: OutboxDelivery(path: gate.directory.location.outboxPath),
                catalog: catalog)
            let code = try LineInput.ask(catalog.text("prompt.enterCode", ["destination": value]) + " ")
            let method = try session.completeContact(pending, code: code)
            if output.json { return try Output.json(["method": MethodJSON(method, catalog: catalog)]) }
            Output.line("Added \(catalog.name(of: method.kind)) \(method.displayValue) [\(method.id)].")
        }
    }
}

struct AddAuthenticatorApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authenticator-app",
        abstract: "Add an authenticator app: scan the otpauth URI, then type the app's current code.",
        discussion: """
            The secret is made here and shown once, as an otpauth:// URI on stderr (most apps read it \
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
            let (_, session) = try await gate.open()
            let pending = try session.beginAuthenticatorApp(kind: microsoft ? .authenticatorApp : .otherAuthenticatorApp, label: name)
            Output.note("Add this account to your app (shown once): \(pending.otpauthURI)")
            if pending.requiresPasswordlessSignInInApp { Output.note(catalog.text("prompt.enablePasswordless")) }
            let code = try LineInput.ask("Current code from the app: ")
            let method = try session.completeAuthenticatorApp(pending, code: code)
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
            let (_, session) = try await gate.open()
            let code = try LineInput.ask("Code shown on token \(serial): ")
            let method = try session.activateHardwareToken(serial: serial, code: code)
            if output.json { return try Output.json(["method": MethodJSON(method, catalog: catalog)]) }
            Output.line("Activated \(method.displayValue) [\(method.id)].")
        }
    }
}

struct AddSecurityQuestions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security-questions",
        abstract: "Register answers to three security questions (for password reset only).",
        discussion: """
            Answers are normalised (case, spaces) and stored only as PBKDF2 hashes. Non-interactive: \
            --answers-file with a JSON array [{"question": …, "answer": …}]. JSON: {method}.
            """)
    @OptionGroup var output: OutputOptions
    @OptionGroup var gate: SecurityInfoGate
    @Option(name: .customLong("answers-file"), help: ArgumentHelp("JSON questions and answers.", valueName: "file"))
    var answersFile: String?

    struct Answer: Decodable {
        var question: String
        var answer: String
    }

    func run() async throws {
        let catalog = gate.directory.catalog
        try await Output.reporting(json: output.json, catalog: catalog) {
            let (_, session) = try await gate.open()
            var answers: [(question: String, answer: String)] = []
            if let answersFile {
                guard let data = FileManager.default.contents(atPath: answersFile),
                    let decoded = try? JSONDecoder().decode([Answer].self, from: data)
                else { throw RegistrationError.invalidInput("\(answersFile) is not a JSON array of {question, answer}") }
                answers = decoded.map { ($0.question, $0.answer) }
            } else {
                for number in 1...ManageSession.requiredSecurityQuestions {
                    let question = try LineInput.ask("Question \(number): ")
                    let answer = PINInput.readWithoutEcho(prompt: "Answer \(number) (not shown): ") ?? ""
                    answers.append((question, answer))
                }
            }
            let method = try session.registerSecurityQuestions(answers)
            if output.json { return try Output.json(["method": MethodJSON(method, catalog: catalog)]) }
            Output.line("Registered \(method.displayValue) [\(method.id)].")
        }
    }
}

struct AddAppPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app-password",
        abstract: "Create an app password (users enforced through per-user MFA only).",
        discussion: "The password is printed once and stored only as a salted hash. JSON: {method, password}.")
    @OptionGroup var output: OutputOptions
    @OptionGroup var gate: SecurityInfoGate
    @Option(name: .long, help: ArgumentHelp("What it is for, e.g. \"mail client\".", valueName: "text")) var name: String

    struct Created: Encodable {
        var method: MethodJSON
        var password: String
    }

    func run() async throws {
        let catalog = gate.directory.catalog
        try await Output.reporting(json: output.json, catalog: catalog) {
            let (_, session) = try await gate.open()
            let (method, password) = try session.createAppPassword(name: name)
            if output.json { return try Output.json(Created(method: MethodJSON(method, catalog: catalog), password: password)) }
            Output.line("App password for \"\(name)\" (shown once): \(password)")
        }
    }
}
