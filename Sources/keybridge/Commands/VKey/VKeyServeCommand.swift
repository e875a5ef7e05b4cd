import ArgumentParser
import Foundation
import KeyBridgeAuthenticator
import KeyBridgeFIDO
import KeyBridgeVirtualCard

struct VKeyServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a virtual CTAP 2.1 security key until stopped (SIGINT/SIGTERM).",
        discussion: """
            The key is served as a USB-style HID key on a Unix socket (--hid-socket: 64-byte CTAPHID \
            reports), and/or as a contactless card inside pcscd through vsmartcard's vpcd driver \
            (--vpcd HOST:PORT; the card carries the FIDO applet and a YKOATH applet), and/or as a \
            kernel HID device through /dev/uhid (--uhid, Linux: a real /dev/hidrawN that every FIDO \
            client on the machine sees, libfido2, browsers and pam_u2f included; needs the uhid module \
            and write access to /dev/uhid, usually root). With none of them, \
            a socket is made in the virtual-key directory so `keybridge devices` finds it.

            A control socket (--control, default: the HID socket path + ".ctl") takes JSON lines:
              {"cmd":"touch"}                                deliver a touch (presence mode wait)
              {"cmd":"presence","mode":"approve|deny|wait|delay","ms":N}
              {"cmd":"powerCycle"}                           clear the 3-wrong-PINs block
              {"cmd":"stats"}                                per-command time inside the key, APDUs, power-offs
              {"cmd":"info"}                                 AAGUID, serial, attestation root PEM
              {"cmd":"fault","kind":"garbage|wrongChannel|truncatedCBOR|nonCanonicalCBOR|closeMidMessage|none",
               "skip":K,"count":N}                           spoil N CBOR replies (default 1) after K good ones (default 0)
              {"cmd":"removeCard","ms":N,"afterAPDUs":K}     pull the card out of the field (now, or after K APDUs)
              {"cmd":"unplug"} / {"cmd":"plug"}                 with --uhid: the kernel device goes away / comes back
              {"cmd":"oathMalformNextReply"}                 make the OATH applet's next reply a malformed TLV
              {"cmd":"record","on":true} / {"cmd":"record","on":false}   record the card's command APDUs
            Each reply is one JSON line with "ok".

            Beside the HID socket the key publishes its USB-style descriptor, as sysfs does for a real \
            key: PATH.json with {manufacturer, product, serialNumber, vendorID, productID}, written \
            when it starts and removed when it stops; `keybridge devices` shows it. As a card, it \
            answers PC/SC GET DATA (FF CA 00 00 00) with a 7-byte UID derived from --serial.

            vpcd listens on all interfaces without authentication: use it on test machines only.
            Several cards: run one process per vpcd port (35963, 35964, …).
            """)

    @Option(name: .customLong("hid-socket"), help: ArgumentHelp("Unix socket to serve HID reports on.", valueName: "path"))
    var hidSocket: String?
    @Option(name: .customLong("vpcd"), help: ArgumentHelp("Serve as a contactless card through vpcd at HOST:PORT.", valueName: "host:port"))
    var vpcd: String?
    @Flag(name: .customLong("uhid"), help: "Also appear as a kernel HID device through /dev/uhid (Linux).")
    var uhid = false
    @Option(name: .customLong("vendor-id"), help: ArgumentHelp("USB vendor id of the UHID device (hex).", valueName: "hex"))
    var vendorID = "1209"
    @Option(name: .customLong("product-id"), help: ArgumentHelp("USB product id of the UHID device (hex).", valueName: "hex"))
    var productID = "0001"
    @Option(name: .customLong("product-name"), help: ArgumentHelp("Product name of the UHID device.", valueName: "name"))
    var productName = "keybridge Virtual security key"
    @Option(name: .customLong("control"), help: ArgumentHelp("Control socket path.", valueName: "path"))
    var control: String?
    @Option(name: .long, help: "Presence: approve, deny, wait (for a touch on the control socket) or delay.")
    var presence = "approve"
    @Option(name: .customLong("presence-delay-ms"), help: "Delay for --presence delay.") var presenceDelay = 500
    @Option(name: .long, help: "Attestation: packed (own CA), self or none.") var attestation = "packed"
    @Option(name: .long, help: ArgumentHelp("Keep credentials, PIN and counters in this file (default: in memory).", valueName: "file"))
    var state: String?
    @Option(name: .long, help: "AAGUID as a UUID.") var aaguid: String?
    @Option(name: .long, help: "Serial number (published in the HID socket's .json; the card's UID derives from it).")
    var serial = "KB-0000001"
    @Option(name: .long, help: "Firmware version number reported by getInfo.") var firmware = 0x0001_0000
    @Option(name: .customLong("rk-capacity"), help: "Discoverable credential slots.") var residentKeyCapacity = 100
    @Option(name: .long, help: "Built-in user verification: none, approve or deny.") var uv = "none"
    @Option(name: .long, help: "Algorithms: es256,eddsa.") var algorithms = "es256,eddsa"
    @Flag(name: .customLong("no-u2f"), help: "Do not offer CTAP1/U2F.") var noU2F = false
    @Flag(name: .customLong("no-config"), help: "Do not offer authenticatorConfig (no minimum PIN length, no forced PIN change).")
    var noConfig = false
    @Flag(name: .customLong("no-extended-apdu"), help: "As a card, refuse extended APDUs (clients must chain).")
    var noExtendedAPDU = false
    @Option(name: .customLong("user-action-timeout"), help: "Seconds to wait for a touch.") var userActionTimeout = 30.0
    @Option(name: .customLong("reset-window"), help: "Refuse reset this many seconds after start (default: always allow).")
    var resetWindow: Double?

    func validate() throws {
        try OptionRange.check(userActionTimeout, "--user-action-timeout", OptionRange.waitSeconds)
        if let resetWindow { try OptionRange.check(resetWindow, "--reset-window", 0.001...86_400) }
        try OptionRange.check(presenceDelay, "--presence-delay-ms", 0...600_000)
        try OptionRange.check(residentKeyCapacity, "--rk-capacity", 0...100_000)
        try OptionRange.check(firmware, "--firmware", 0...Int(UInt32.max))
        for (value, name) in [(vendorID, "--vendor-id"), (productID, "--product-id")] where UInt16(value, radix: 16) == nil {
            throw ValidationError("\(name) takes a 16-bit hexadecimal number such as 1209, got \(value)")
        }
    }

    func run() async throws {
        try await Output.reporting(json: false) {
            let configuration = try makeConfiguration()
            let authenticator: VirtualAuthenticator
            do {
                authenticator = try VirtualAuthenticator(configuration: configuration)
            } catch {
                throw KeyBridgeError.invalidArgument("cannot start the virtual key: \(error)")
            }
            var socketPath = hidSocket
            if socketPath == nil && vpcd == nil && !uhid {
                let directory = DeviceDiscovery.defaultVirtualKeyDirectory()
                try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                socketPath = directory + "/vkey-\(getpid()).sock"
            }
            var hidServer: VirtualKeyHIDServer?
            if let socketPath {
                // The descriptor goes up first, so discovery never sees the socket without it.
                do {
                    try identity(configuration).publish(socketPath: socketPath)
                } catch {
                    throw KeyBridgeError.invalidArgument(
                        "cannot write \(VirtualKeyIdentity.path(socketPath: socketPath)): \(error)")
                }
                do {
                    hidServer = try VirtualKeyHIDServer(authenticator: authenticator, socketPath: socketPath)
                } catch {
                    VirtualKeyIdentity.remove(socketPath: socketPath)
                    throw KeyBridgeError.invalidArgument("cannot listen on \(socketPath): \(error)")
                }
            }
            var card: VPCDConnection?
            var oath: VirtualOATHApplet?
            if let vpcd {
                let parts = vpcd.split(separator: ":")
                guard parts.count == 2, let port = UInt16(parts[1]) else {
                    throw KeyBridgeError.invalidArgument("--vpcd takes HOST:PORT, e.g. 127.0.0.1:35963")
                }
                let applet = VirtualOATHApplet(touchProvider: { authenticator.presenceAvailableNow() })
                let fido = FIDOCardApplet(handler: authenticator)
                fido.acceptsExtendedAPDUs = !noExtendedAPDU
                let dispatcher = CardDispatcher(
                    applets: [fido, applet], uid: CardUID.derived(fromSerial: configuration.serialNumber))
                let connection = VPCDConnection(host: String(parts[0]), port: port, dispatcher: dispatcher)
                connection.onPowerOff = { [authenticator] in authenticator.powerCycle() }
                connection.start()
                card = connection
                oath = applet
            }
            var uhidKey: UHIDKey?
            if uhid {
                let identity = UHIDKey.Identity(
                    name: productName, serialNumber: configuration.serialNumber,
                    vendorID: UInt16(vendorID, radix: 16)!, productID: UInt16(productID, radix: 16)!)
                do {
                    uhidKey = try UHIDKey(authenticator: authenticator, identity: identity)
                } catch {
                    hidServer?.stop()
                    if let socketPath { VirtualKeyIdentity.remove(socketPath: socketPath) }
                    card?.stop()
                    throw KeyBridgeError.invalidArgument("--uhid: \(error)")
                }
            }
            let controlPath = control ?? socketPath.map { $0 + ".ctl" }
                ?? (uhid ? DeviceDiscovery.defaultVirtualKeyDirectory() + "/uhid-\(getpid()).ctl" : nil)
            var controlServer: ControlServer?
            if let controlPath {
                if control == nil { try? FileManager.default.createDirectory(atPath: (controlPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true) }
                let handler = VKeyControlHandler(
                    authenticator: authenticator, device: hidServer?.device ?? uhidKey?.device, card: card, oath: oath,
                    uhid: uhidKey)
                controlServer = try ControlServer(path: controlPath) { handler.handle($0) }
            }
            var where_: [String] = []
            if let socketPath { where_.append("HID socket \(socketPath)") }
            if let vpcd { where_.append("vpcd card at \(vpcd)") }
            if uhid { where_.append("UHID device \(vendorID):\(productID) serial \(configuration.serialNumber)") }
            Output.note("keybridge virtual key serving on \(where_.joined(separator: " and "))"
                + (controlPath.map { "; control socket \($0)" } ?? ""))
            await waitForTermination()
            hidServer?.stop()
            uhidKey?.stop()
            if let socketPath { VirtualKeyIdentity.remove(socketPath: socketPath) }
            controlServer?.stop()
            card?.stop()
            Output.note("keybridge virtual key stopped")
        }
    }

    private func makeConfiguration() throws -> AuthenticatorConfiguration {
        var configuration = AuthenticatorConfiguration()
        guard let presenceMode = PresenceMode(name: presence, milliseconds: presenceDelay) else {
            throw KeyBridgeError.invalidArgument("--presence must be approve, deny, wait or delay")
        }
        configuration.presence = presenceMode
        guard let attestationMode = AttestationMode(rawValue: attestation) else {
            throw KeyBridgeError.invalidArgument("--attestation must be packed, self or none")
        }
        configuration.attestation = attestationMode
        if let aaguid {
            guard let bytes = AuthenticatorConfiguration.aaguid(from: aaguid) else {
                throw KeyBridgeError.invalidArgument("--aaguid must be a UUID such as f1d0f1d0-0000-4000-8000-000000000001")
            }
            configuration.aaguid = bytes
        }
        configuration.serialNumber = serial
        configuration.firmwareVersion = firmware
        guard residentKeyCapacity >= 0 else { throw KeyBridgeError.invalidArgument("--rk-capacity must not be negative") }
        configuration.residentKeyCapacity = residentKeyCapacity
        guard let builtIn = BuiltInUV(rawValue: uv) else {
            throw KeyBridgeError.invalidArgument("--uv must be none, approve or deny")
        }
        configuration.builtInUV = builtIn
        configuration.algorithms = try algorithms.split(separator: ",").map { name in
            switch name.lowercased() {
            case "es256": return -7
            case "eddsa", "ed25519": return -8
            default: throw KeyBridgeError.invalidArgument("--algorithms takes es256 and/or eddsa, got \(name)")
            }
        }
        configuration.u2f = !noU2F
        configuration.authenticatorConfig = !noConfig
        configuration.userActionTimeoutMilliseconds = Int(userActionTimeout * 1000)
        configuration.resetWindowMilliseconds = resetWindow.map { Int($0 * 1000) }
        configuration.stateFile = state
        var transports: [String] = []
        if hidSocket != nil || uhid || vpcd == nil { transports.append("usb") }
        if vpcd != nil { transports.append("nfc") }
        configuration.transports = transports
        return configuration
    }

    /// What the key publishes beside its HID socket.
    private func identity(_ configuration: AuthenticatorConfiguration) -> VirtualKeyIdentity {
        VirtualKeyIdentity(
            manufacturer: VirtualKeyIdentity.defaultManufacturer, product: VirtualKeyIdentity.defaultProduct,
            serialNumber: configuration.serialNumber, vendorID: 0, productID: 0)
    }

    private func waitForTermination() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = ResumeOnce(continuation)
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { once.resume() }
                source.resume()
                once.keep(source)
            }
        }
    }
}

/// Resumes a continuation at most once and keeps the signal sources alive until then.
private final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Void, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }

    func keep(_ source: any DispatchSourceSignal) { lock.withLock { sources.append(source) } }

    func resume() {
        let pending: CheckedContinuation<Void, Never>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        pending?.resume()
    }
}
