import ArgumentParser
import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeGraphClient
import KeyBridgeRegistration

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

            With --server URL and --token-file FILE the options come from that keybridge server \
            (GET …/fido2Methods/creationOptions) and the key's answer goes to it (POST \
            …/fido2Methods), which verifies and stores it in a manage session opened on the user's \
            behalf with the API token; the key stays on this machine. A refusal (e.g. a blocked \
            key model) gives the same error code and exit status as a local directory, and the \
            credential is deleted from the key again, as it is when the server stops answering \
            after the key made it.
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
            // The directory side: the server (which verifies and stores), or a local manage session.
            let directory: any EnrollmentDirectory
            var place: (user: String, tenant: String?)
            if let remote = try await gate.remote() {
                directory = GraphEnrollmentDirectory(client: remote, user: gate.subject.user)
                place = (gate.subject.user, gate.subject.tenant)
            } else {
                let (_, session) = try await gate.open("add security-key")
                directory = session
                place = (session.user.upn, session.tenant)
            }
            let key = try await AddSecurityKey.openKey(gate.devices, catalog: catalog)
            defer { Task { await key.close() } }
            let info = try await key.info()
            let plan: PINPlan = info.hasPIN
                ? .existing(try gate.pin.requiredPIN(prompt: "PIN of the new key: "))
                : .new(try PINInput.newPIN(file: newPINFile), minimumLength: nil, forceChangeAfterwards: false)
            let prompt = TouchPrompt(message: catalog.text("prompt.touchKey"), timeout: gate.devices.timeoutDuration)
            defer { prompt.finish() }
            let enrollment = KeyEnrollment(directory: directory, key: key, timeout: gate.devices.timeoutDuration)
            let enrolled = try await enrollment.enroll(pin: plan, friendlyName: name) { step in
                if step == .touchKey { prompt.show() }
            }
            prompt.finish()
            let method = MethodJSON(enrolled.method, catalog: catalog)
            if output.json { return try Output.json(Result(method: method, credential: enrolled.response, pinSet: enrolled.pinWasSet)) }
            if !enrolled.method.tenant.isEmpty { place.tenant = enrolled.method.tenant }
            Output.line("Registered \(method.value) for \(place.user) in \(place.tenant ?? "the API token's tenant").")
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
