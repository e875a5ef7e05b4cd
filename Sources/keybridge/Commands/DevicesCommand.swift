import ArgumentParser
import KeyBridgeFIDO

struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the security keys keybridge can reach.",
        discussion: """
            USB keys come from libfido2's hidraw discovery (a key you have no permission to open is \
            not listed; see the README's udev section). Virtual keys come from the socket directory.
            JSON: an array of {id, transport, path, manufacturer, product, vendorID, productID}.
            """)

    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("vkey-dir"), help: ArgumentHelp("Directory of virtual-key sockets.", valueName: "dir"))
    var virtualKeyDirectory: String?

    func run() async throws {
        let devices = DeviceDiscovery(virtualKeyDirectory: virtualKeyDirectory).devices()
        if output.json { return try Output.json(devices) }
        guard !devices.isEmpty else {
            Output.line("No security keys found. Insert a key, or start one with `keybridge vkey serve`.")
            return
        }
        for device in devices {
            let ids = device.transport == .usb
                ? String(format: " [%04x:%04x]", device.vendorID, device.productID) : ""
            Output.line("\(device.id)\t\(device.transport.rawValue)\t\(device.manufacturer) \(device.product)\(ids)")
        }
    }
}
