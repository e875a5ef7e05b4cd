import ArgumentParser
import KeyBridgeRegistration

struct AddContact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact",
        abstract: "Add a phone, alternate phone, office phone or e-mail address, verified by a one-time code.",
        discussion: """
            A 6-digit code goes to the number or address (the embedded directory writes it to \
            outbox.jsonl beside the directory file; a server sends it through its own delivery); type \
            it when asked (it is read from stdin). \
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
            let prompt = catalog.text("prompt.enterCode", ["destination": value]) + " "
            let method: RegisteredMethod
            if let remote = try await gate.remote() {
                // The server sends the code (through its own delivery) and keeps the step.
                let user = gate.subject.user
                let step = try await remote.beginContactVerification(user: user, kind: kind.methodKind, destination: value)
                method = try await remote.completeContactVerification(user: user, kind: kind.methodKind, id: step, code: try LineInput.ask(prompt))
            } else {
                let (_, session) = try await gate.open("add \(Self.configuration.commandName ?? "")")
                let pending = try await session.beginContact(
                    kind.methodKind, destination: value, delivery: OutboxDelivery(path: try gate.directory.outboxPath()),
                    catalog: catalog)
                method = try await session.completeContact(pending, code: try LineInput.ask(prompt))
            }
            if output.json { return try Output.json(["method": MethodJSON(method, catalog: catalog)]) }
            Output.line("Added \(catalog.name(of: method.kind)) \(method.displayValue) [\(method.id)].")
        }
    }
}
