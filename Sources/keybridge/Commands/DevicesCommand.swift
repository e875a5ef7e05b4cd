import ArgumentParser
import Foundation
import KeyBridgeFIDO

struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the security keys keybridge can reach.",
        discussion: """
            USB keys come from libfido2's hidraw discovery (a key you have no permission to open is \
            not listed; see the README's udev section). Virtual keys come from the socket directory.
            JSON: an array of {id, transport, path, manufacturer, product, vendorID, productID, capabilities, serialNumber?} (the USB serial string, a virtual key's --serial, or a contactless card's UID; absent when the key exposes none).

            With --watch, keybridge prints the keys present and then every key added or removed \
            (PC/SC reader and card events, udev hidraw events, the virtual-key directory) until \
            interrupted; with --json, one object per line: {"event": "present|added|removed", \
            "device": {…}, "time": ISO8601}.
            """)

    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("vkey-dir"), help: ArgumentHelp("Directory of virtual-key sockets.", valueName: "dir"))
    var virtualKeyDirectory: String?

    @Flag(name: .long, help: "Keep running and report keys as they come and go.") var watch = false

    func run() async throws {
        if watch { return try await watchDevices() }
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

    private func watchDevices() async throws {
        let watcher = DeviceWatcher(discovery: DeviceDiscovery(virtualKeyDirectory: virtualKeyDirectory))
        let interrupt = InterruptHandler { watcher.stop() }
        defer { interrupt.stop() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for await event in watcher.events() {
            if output.json {
                let line = try encoder.encode(event)
                FileHandle.standardOutput.write(line + Data("\n".utf8))
            } else {
                let sign = event.event == .removed ? "-" : "+"
                Output.line("\(sign) \(event.event.rawValue)\t\(event.device.id)\t\(event.device.capabilities.joined(separator: ","))")
            }
        }
    }
}
