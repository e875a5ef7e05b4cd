import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration

/// How a kiosk is set up (from `keybridge kiosk`'s options).
struct KioskSettings: Sendable {
    /// This kiosk's name on its pages and receipts (its trusted-device name in a local directory).
    var kioskName: String
    var operatorGroup: String
    var minimumPINLength: Int
    var randomPIN: Bool
    /// Make the key demand a new PIN at first use (always with random PINs).
    var forcePINChange: Bool
    var receipts: ReceiptLog
    var printCommand: String?
    var models: KeyModelNames
    var discovery: DeviceDiscovery
    var touchTimeout: Duration
    /// JSON lines of outcomes on stdout (the pages then go to stderr).
    var json: Bool
}

/// The HR-onboarding flow: an operator signs in once, then each new hire in turn is identified,
/// proves MFA with a Temporary Access Pass (entered, or issued on the spot), brings a key, chooses
/// a PIN (or gets a random one on the receipt) and registers it; a receipt goes to the CSV and JSON
/// logs. Ctrl-C cancels only the person in progress; whatever was done for them is undone.
final class KioskFlow: Sendable {
    enum Outcome: Sendable {
        case enrolled
        case failed
        case quit
    }

    let directory: any KioskDirectory
    let settings: KioskSettings
    let input: TerminalInput
    let catalog: MessageCatalog
    let screen: KioskScreen
    static let steps = 6

    init(directory: any KioskDirectory, settings: KioskSettings, input: TerminalInput, catalog: MessageCatalog, operatorUPN: String? = nil) {
        self.directory = directory
        self.settings = settings
        self.input = input
        self.catalog = catalog
        screen = KioskScreen(
            catalog: catalog, kioskName: settings.kioskName,
            output: settings.json ? .standardError : .standardOutput, operatorUPN: operatorUPN)
    }

    /// The same flow with the operator shown in the frame.
    func signedIn(as operatorUPN: String) -> KioskFlow {
        KioskFlow(directory: directory, settings: settings, input: input, catalog: catalog, operatorUPN: operatorUPN)
    }

    // MARK: Operator

    /// Signs the operator in (a member of the operator group who proves MFA); nil after three
    /// failed tries or `quit`.
    func signInOperator() async throws(PromptInterruption) -> String? {
        var attempts = 0
        var notes: [String] = []
        if await directory.trusts(device: settings.kioskName) == false {
            notes.append(catalog.text("kiosk.warning.untrusted", ["device": settings.kioskName, "tenant": directory.tenant]))
        }
        while attempts < 3 {
            screen.page(catalog.text("kiosk.operator.heading"), notes)
            screen.ask(catalog.text("kiosk.operator.upn"))
            let upn: String
            do {
                upn = try await input.readLine().trimmingCharacters(in: .whitespaces)
            } catch .interrupted {
                continue
            }
            if upn == "quit" { return nil }
            guard !upn.isEmpty else { continue }
            attempts += 1
            notes = []
            do {
                guard try await directory.isOperator(upn: upn, group: settings.operatorGroup) else {
                    notes = [catalog.text("kiosk.operator.notOperator", ["upn": upn, "group": settings.operatorGroup])]
                    continue
                }
                screen.ask(catalog.text("kiosk.operator.proof"))
                let answer = try await input.readLine(secret: true).trimmingCharacters(in: .whitespaces)
                try await directory.signInOperator(upn: upn, proof: MFAProof(typed: answer))
                return upn
            } catch let error as RegistrationError {
                notes = [error.message(catalog)]
            } catch let error as RemoteDirectoryError {
                notes = [error.message]
            } catch PromptInterruption.endOfInput {
                throw .endOfInput
            } catch {
                notes = []
            }
        }
        return nil
    }

    // MARK: One person

    /// Runs the flow for the next person; Ctrl-C cancels them and returns to the ready page.
    func next(operatorUPN: String) async throws(PromptInterruption) -> Outcome {
        screen.page(catalog.text("kiosk.ready.heading"), step: (1, Self.steps))
        screen.ask(catalog.text("kiosk.ready.upn"))
        let upn: String
        do {
            upn = try await input.readLine().trimmingCharacters(in: .whitespaces)
        } catch .interrupted {
            return .failed
        }
        if upn == "quit" { return .quit }
        guard !upn.isEmpty else { return .failed }

        let task = Task { try await self.enroll(upn: upn, operatorUPN: operatorUPN) }
        input.onInterrupt { task.cancel() }
        let result = await task.result
        input.onInterrupt(nil)
        switch result {
        case .success(let (receipt, name)):
            try await finish(receipt, name: name)
            return .enrolled
        case .failure(PromptInterruption.endOfInput):
            throw .endOfInput
        case .failure(let error):
            try await show(failure: error, upn: upn)
            return .failed
        }
    }

    /// Everything for one person up to the stored registration; throws to cancel or fail.
    private func enroll(upn: String, operatorUPN: String) async throws -> (EnrollmentReceipt, name: String) {
        let hire = try await directory.newHire(upn: upn)
        screen.page(catalog.text("kiosk.hire.welcome", ["name": hire.displayName]), step: (2, Self.steps))
        var pass: String?
        if hire.needsPass {
            screen.ask(catalog.text("kiosk.tap.prompt"))
            var typed = try await readAnswer(secret: true)
            if typed.isEmpty {
                typed = try await directory.issuePass(for: hire, operatorUPN: operatorUPN)
                screen.say(catalog.text("kiosk.tap.issued"))
            }
            pass = typed
        } else {
            screen.say(catalog.text("kiosk.tap.notNeeded"))
        }
        let session = try await directory.openEnrollment(for: hire, pass: pass, operatorUPN: operatorUPN)
        do {
            let receipt = try await enrollKey(for: hire, into: session.directory, operatorUPN: operatorUPN)
            await session.end()
            return (receipt, hire.displayName)
        } catch {
            await session.end()
            throw error
        }
    }

    /// The key's identity; its model named by the operator's --aaguid-names file, else the
    /// directory's FIDO metadata, else what the key reports.
    private func readIdentity(_ key: SecurityKey) async throws -> KeyIdentity {
        var identity = try await KeyIdentity.read(key, models: settings.models)
        if settings.models.operatorName(aaguid: identity.aaguid) == nil, let name = await directory.modelName(aaguid: identity.aaguid) {
            identity.model = name
        }
        return identity
    }

    /// The key part of one person's flow: find the key, reset it if it has a PIN (confirmed),
    /// choose the PIN, register.
    private func enrollKey(for hire: KioskNewHire, into enrollmentDirectory: any EnrollmentDirectory, operatorUPN: String) async throws
        -> EnrollmentReceipt
    {

        screen.page(catalog.text("kiosk.key.insert"), step: (3, Self.steps))
        screen.footer()
        let descriptor = try await KeyArrival.wait(discovery: settings.discovery) { [screen, catalog] in
            screen.say(catalog.text("kiosk.key.oneAtATime"))
        }
        let key = try await SecurityKey.open(descriptor)
        defer { Task { await key.close() } }
        var identity = try await readIdentity(key)
        identityLines(identity).forEach(screen.say)
        if identity.hasPIN {
            screen.ask(catalog.text("kiosk.key.hasPIN"))
            guard try await readAnswer() == "RESET" else { throw KioskStop.keyNotReset }
            screen.say(catalog.text("kiosk.key.resetTouch"))
            try await key.reset(timeout: settings.touchTimeout)
            screen.say(catalog.text("kiosk.key.resetDone"))
            identity = try await readIdentity(key)
        }

        let minimum = max(settings.minimumPINLength, identity.minimumPINLength)
        screen.page(catalog.text("kiosk.pin.heading"), step: (4, Self.steps), identityLines(identity))
        let pin = settings.randomPIN ? RandomPIN.make(length: max(8, minimum)) : try await choosePIN(minimum: minimum)
        if settings.randomPIN { screen.say(catalog.text("kiosk.pin.random")) }

        screen.page(catalog.text("kiosk.register.heading"), step: (5, Self.steps), identityLines(identity))
        screen.footer()
        let enrollment = KeyEnrollment(directory: enrollmentDirectory, key: key, timeout: settings.touchTimeout)
        let enrolled = try await enrollment.enroll(
            pin: .new(pin, minimumLength: settings.minimumPINLength, forceChangeAfterwards: settings.randomPIN || settings.forcePINChange),
            friendlyName: identity.model
        ) { [screen, catalog] step in screen.say(catalog.text("kiosk.step.\(step.rawValue)")) }
        return EnrollmentReceipt(
            time: Date(), upn: hire.upn, tenant: directory.tenant, keyModel: identity.model, aaguid: identity.aaguid,
            serialNumber: identity.serialNumber, credentialID: enrolled.response.id,
            kiosk: settings.kioskName, operatorUPN: operatorUPN,
            pin: settings.randomPIN ? pin : nil)
    }

    /// The key as the operator sees it on every page once it is found.
    private func identityLines(_ identity: KeyIdentity) -> [String] {
        [catalog.text("kiosk.key.found")]
            + [
                ("kiosk.key.model", identity.model), ("kiosk.key.aaguid", identity.aaguid),
                ("kiosk.key.serial", identity.serialNumber ?? catalog.text("kiosk.key.noSerial")),
                ("kiosk.key.connection", identity.transport.rawValue),
            ].map { "  " + (catalog.text($0.0) + ":").padding(toLength: 16, withPad: " ", startingAt: 0) + $0.1 } + [""]
    }

    private func choosePIN(minimum: Int) async throws -> String {
        while true {
            screen.ask(catalog.text("kiosk.pin.choose", ["length": "\(minimum)"]))
            let first = try await readAnswer(secret: true, trimmed: false)
            guard first.count >= minimum, first.utf8.count <= 63 else {
                screen.say(catalog.text("kiosk.pin.tooShort", ["length": "\(minimum)"]))
                continue
            }
            screen.ask(catalog.text("kiosk.pin.repeat"))
            guard try await readAnswer(secret: true, trimmed: false) == first else {
                screen.say(catalog.text("kiosk.pin.mismatch"))
                continue
            }
            return first
        }
    }

    /// A line of input inside a person's flow: Ctrl-C there cancels the person.
    private func readAnswer(secret: Bool = false, trimmed: Bool = true) async throws -> String {
        do {
            let line = try await input.readLine(secret: secret)
            try Task.checkCancellation()
            return trimmed ? line.trimmingCharacters(in: .whitespaces) : line
        } catch PromptInterruption.interrupted {
            throw CancellationError()
        }
    }
}
