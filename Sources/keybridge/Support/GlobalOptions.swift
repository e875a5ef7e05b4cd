import ArgumentParser
import KeyBridgeFIDO

/// `--json`: machine-readable output on stdout.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON on stdout (stable shapes; see the README).")
    var json = false
}

/// Which key to use.
struct DeviceOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The key to use, as listed by `keybridge devices` (hid:/dev/hidrawN or vkey:/path).",
            discussion: "May be omitted when exactly one key is connected.", valueName: "id"))
    var device: String?

    @Option(
        name: .customLong("vkey-dir"),
        help: ArgumentHelp(
            "Directory of virtual-key sockets (default: $KEYBRIDGE_VKEY_DIR or $XDG_RUNTIME_DIR/keybridge/vkeys).",
            valueName: "dir"))
    var virtualKeyDirectory: String?

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for the key, touch included.", valueName: "seconds"))
    var timeout: Double = 30

    var discovery: DeviceDiscovery { DeviceDiscovery(virtualKeyDirectory: virtualKeyDirectory) }

    /// The timeout as a duration (``validate()`` has checked it is in ``OptionRange/waitSeconds``).
    var timeoutDuration: Duration { .milliseconds(Int(timeout * 1000)) }

    func validate() throws {
        try OptionRange.check(timeout, "--timeout", OptionRange.waitSeconds)
    }

    /// Finds and opens the chosen key.
    func open() async throws(KeyBridgeError) -> SecurityKey {
        let descriptor = try discovery.device(id: device)
        return try await SecurityKey.open(descriptor)
    }
}
