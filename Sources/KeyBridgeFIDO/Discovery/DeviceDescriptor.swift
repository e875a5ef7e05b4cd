/// How keybridge reaches a key.
public enum DeviceTransport: String, Codable, Sendable {
    /// A USB HID key found by libfido2's hidraw discovery.
    case usb
    /// keybridge's virtual key, reached over its Unix socket.
    case virtual
    /// A contactless key on a PC/SC (NFC) reader, reached through pcscd.
    case nfc
}

/// A key that can be opened: its stable id, how to reach it and what it says about itself.
public struct DeviceDescriptor: Codable, Sendable, Hashable {
    /// The stable id used with `--device`: `hid:/dev/hidrawN`, `nfc:<reader name>` or `vkey:/path/to/socket`.
    public var id: String
    /// How keybridge talks to the key.
    public var transport: DeviceTransport
    /// The hidraw node or socket path.
    public var path: String
    /// Manufacturer string reported by the device, if any.
    public var manufacturer: String
    /// Product string reported by the device, if any.
    public var product: String
    /// USB vendor id (0 for virtual keys).
    public var vendorID: UInt16
    /// USB product id (0 for virtual keys).
    public var productID: UInt16
    /// What the key can do: `fido2`, `u2f`, `oath`.
    public var capabilities: [String]

    public init(
        id: String, transport: DeviceTransport, path: String, manufacturer: String, product: String,
        vendorID: UInt16 = 0, productID: UInt16 = 0, capabilities: [String] = ["fido2"]
    ) {
        self.id = id
        self.transport = transport
        self.path = path
        self.manufacturer = manufacturer
        self.product = product
        self.vendorID = vendorID
        self.productID = productID
        self.capabilities = capabilities
    }

    /// A descriptor for the card on the PC/SC reader `reader`.
    public static func nfc(reader: String, capabilities: [String] = ["fido2"]) -> DeviceDescriptor {
        DeviceDescriptor(
            id: "nfc:\(reader)", transport: .nfc, path: "pcsc:\(reader)", manufacturer: "PC/SC", product: reader,
            capabilities: capabilities)
    }

    /// A descriptor for a virtual key listening on `socketPath`.
    public static func virtualKey(socketPath: String) -> DeviceDescriptor {
        DeviceDescriptor(
            id: "vkey:\(socketPath)", transport: .virtual, path: socketPath,
            manufacturer: "keybridge", product: "Virtual security key", capabilities: ["fido2", "u2f"])
    }
}
