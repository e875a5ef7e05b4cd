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
    /// The key's serial number where it exposes one: the USB serial string (from sysfs), the
    /// serial a virtual key publishes beside its socket, or a contactless card's UID (uppercase
    /// hex, from PC/SC GET DATA). Nil, and left out of the JSON, when the key has none.
    public var serialNumber: String?

    public init(
        id: String, transport: DeviceTransport, path: String, manufacturer: String, product: String,
        vendorID: UInt16 = 0, productID: UInt16 = 0, capabilities: [String] = ["fido2"], serialNumber: String? = nil
    ) {
        self.id = id
        self.transport = transport
        self.path = path
        self.manufacturer = manufacturer
        self.product = product
        self.vendorID = vendorID
        self.productID = productID
        self.capabilities = capabilities
        self.serialNumber = serialNumber
    }

    /// A descriptor for the card on the PC/SC reader `reader`; `uid` is the card's UID in hex.
    public static func nfc(reader: String, capabilities: [String] = ["fido2"], uid: String? = nil) -> DeviceDescriptor {
        DeviceDescriptor(
            id: "nfc:\(reader)", transport: .nfc, path: "pcsc:\(reader)", manufacturer: "PC/SC", product: reader,
            capabilities: capabilities, serialNumber: uid)
    }

    /// A descriptor for a virtual key listening on `socketPath`, with the manufacturer, product,
    /// serial number and USB ids the key published in `socketPath.json` (see
    /// ``VirtualKeyIdentity``) when that file exists.
    public static func virtualKey(socketPath: String) -> DeviceDescriptor {
        var descriptor = DeviceDescriptor(
            id: "vkey:\(socketPath)", transport: .virtual, path: socketPath,
            manufacturer: VirtualKeyIdentity.defaultManufacturer, product: VirtualKeyIdentity.defaultProduct,
            capabilities: ["fido2", "u2f"])
        if let identity = VirtualKeyIdentity.read(socketPath: socketPath) {
            descriptor.manufacturer = identity.manufacturer ?? descriptor.manufacturer
            descriptor.product = identity.product ?? descriptor.product
            descriptor.serialNumber = identity.serialNumber
            descriptor.vendorID = identity.vendorID ?? 0
            descriptor.productID = identity.productID ?? 0
        }
        return descriptor
    }
}
