import ArgumentParser
import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeGraphClient
import KeyBridgeRegistration

struct KioskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk",
        abstract: "The HR-onboarding kiosk: a full-screen flow to give each new hire a registered security key.",
        discussion: """
            An operator (a member of --operator-group with an MFA method) signs in once with a code or \
            Temporary Access Pass. Then, for each new hire: their user principal name; a Temporary \
            Access Pass when the tenant asks for MFA (typed, or left empty to issue one now); the key \
            inserted or held on the reader — its model, AAGUID and serial number are shown; a key that \
            already has a PIN is reset only after typing RESET; a PIN chosen by the new hire (or, with \
            --random-pin, a random one printed on the receipt, and the key demands a new one at first \
            use); the key's minimum PIN length is raised to --min-pin-length where the key supports \
            authenticatorConfig; a touch; verification; and a receipt line appended to \
            enrollments.csv and enrollments.jsonl in --receipts. A random PIN is shown and printed \
            for the new hire only; the files record that one was issued, not the PIN, unless \
            --receipt-pins (then both files are 0600). Cells a spreadsheet would run as a formula \
            are written as text.

            Nothing is left half-done: Ctrl-C, a key pulled out or a directory that cannot be written \
            stop that person's enrollment; a credential the key already made is deleted from it again \
            and nothing is stored. Ctrl-C never ends the kiosk; the operator types quit (or Ctrl-D).

            The kiosk should be a trusted device of the tenant's access rule (--kiosk-name, default the \
            host name).

            With --server URL and --token-file FILE (a token from `keybridge admin token issue --scope \
            kiosk --tenant ID`), the directory is a keybridge server's: the server checks the operator's \
            group and sign-in, tells whether a new hire needs a pass and issues it, and each new hire's \
            key is registered in their own session, opened with their pass (a hire who needs none gets \
            a pass for that sign-in alone, deleted right after). The access rule then sees this kiosk's \
            address as the server sees the connection: a device name is not something a client can \
            prove over the network, so put kiosks' networks in the policy's allowedNetworks. Without \
            --tenant, the token's tenant. Keys stay on this machine; a key the server refuses, or a \
            server that stops answering, leaves nothing on the key.

            With --json, each outcome is a JSON line on stdout \
            ({event: enrolled|failed|cancelled, upn, receipt?, code?, message?, rollback?}) and the \
            pages are drawn on stderr.
            """)

    @OptionGroup var output: OutputOptions
    @OptionGroup var directory: DirectoryOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var devices: DeviceOptions
    @Option(name: .long, help: ArgumentHelp("The tenant to enroll into (default: the only one).", valueName: "id")) var tenant: String?
    @Option(name: .customLong("kiosk-name"), help: ArgumentHelp("This kiosk's trusted-device name (default: the host name).", valueName: "name"))
    var kioskName: String?
    @Option(name: .customLong("client-address"), help: ArgumentHelp("This kiosk's address (default: its first IPv4 address).", valueName: "ip"))
    var clientAddress: String?
    @Option(name: .customLong("operator-group"), help: "The group whose members may run the kiosk.") var operatorGroup = "kiosk-operators"
    @Option(name: .customLong("min-pin-length"), help: "The shortest PIN to accept and to set on keys that support it.")
    var minimumPINLength = 6
    @Flag(name: .customLong("random-pin"), help: "Give each key a random PIN, printed on the receipt; the key demands a change at first use.")
    var randomPIN = false
    @Flag(name: .customLong("receipt-pins"), help: "With --random-pin, also write each PIN into the receipt files (then readable by their owner only).")
    var receiptPINs = false
    @Flag(name: .customLong("force-pin-change"), help: "Make keys demand a new PIN at first use even when the new hire chose it.")
    var forcePINChange = false
    @Option(name: .long, help: ArgumentHelp("Folder for enrollments.csv and enrollments.jsonl (default: receipts/ beside the directory).", valueName: "dir"))
    var receipts: String?
    @Option(name: .customLong("print-command"), help: ArgumentHelp("A command that prints each receipt from its stdin, e.g. \"lp -d frontdesk\".", valueName: "command"))
    var printCommand: String?
    @Option(name: .customLong("aaguid-names"), help: ArgumentHelp("JSON {aaguid: model name} for the key models shown.", valueName: "file"))
    var aaguidNames: String?

    func validate() throws {
        guard (4...63).contains(minimumPINLength) else { throw ValidationError("--min-pin-length must be 4 to 63") }
    }

    func run() async throws {
        let catalog = directory.catalog
        let flow: KioskFlow
        do {
            let name = kioskName ?? LocalMachine.hostName()
            let kioskDirectory: any KioskDirectory
            let receiptFolder: String
            if let url = try server.chosenURL(directory: directory) {
                guard let token = try server.token() else {
                    throw RegistrationError.invalidInput("kiosk --server needs --token-file (or $KEYBRIDGE_TOKEN_FILE) with a kiosk API token")
                }
                guard clientAddress == nil else {
                    throw RegistrationError.invalidInput("--client-address is for a local directory: a server sees this kiosk's address itself")
                }
                guard receipts != nil else { throw RegistrationError.invalidInput("kiosk --server needs --receipts: a folder on this kiosk") }
                let client = try GraphClient(server: url, token: token)
                kioskDirectory = GraphKioskDirectory(client: client, tenant: try await GraphKioskDirectory.tenant(client: client, chosen: tenant))
                receiptFolder = receipts ?? ""
            } else {
                let service = try await directory.existingService()
                let tenants = try await service.store.tenants()
                guard let tenant = tenant ?? (tenants.count == 1 ? tenants[0].id : nil) else {
                    throw RegistrationError.invalidInput("the directory has \(tenants.count) tenants: choose one with --tenant")
                }
                _ = try await service.configuration(tenant)
                let client = ClientContext(address: clientAddress ?? LocalMachine.primaryIPv4() ?? "127.0.0.1", device: name)
                kioskDirectory = LocalKioskDirectory(service: service, tenant: tenant, client: client)
                receiptFolder = try receipts ?? (directory.folder() + "/receipts")
            }
            let settings = KioskSettings(
                kioskName: name, operatorGroup: operatorGroup, minimumPINLength: minimumPINLength, randomPIN: randomPIN,
                forcePINChange: forcePINChange,
                receipts: ReceiptLog(folder: receiptFolder, recordsPINs: receiptPINs), printCommand: printCommand,
                models: try aaguidNames.map { try KeyModelNames(file: $0) } ?? KeyModelNames(), discovery: devices.discovery,
                touchTimeout: devices.timeoutDuration, json: output.json)
            flow = KioskFlow(directory: kioskDirectory, settings: settings, input: TerminalInput(screen: output.json ? .standardError : .standardOutput), catalog: catalog)
        } catch {
            throw ExitCode(Output.report(error, json: output.json, catalog: catalog))
        }
        defer { FileHandle.standardError.write(Data("\n".utf8)) }
        do {
            guard let operatorUPN = try await flow.signInOperator() else { throw ExitCode(12) }
            let signedIn = flow.signedIn(as: operatorUPN)
            while try await signedIn.next(operatorUPN: operatorUPN) != .quit {}
        } catch is PromptInterruption {
            // End of input: the kiosk closes.
        }
        await flow.directory.close()
    }
}
