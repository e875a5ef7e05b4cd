import CFido2
import Foundation

/// Finds security keys: USB HID keys through libfido2's own hidraw/udev discovery, and
/// keybridge virtual keys through the sockets in a directory.
public struct DeviceDiscovery: Sendable {
    /// The environment variable that names the virtual-key socket directory.
    public static let virtualKeyDirectoryVariable = "KEYBRIDGE_VKEY_DIR"

    /// The directory searched for virtual-key sockets.
    public var virtualKeyDirectory: String

    /// The most USB keys libfido2 is asked to list.
    public var maximumUSBDevices = 64

    public init(virtualKeyDirectory: String? = nil) {
        self.virtualKeyDirectory = virtualKeyDirectory ?? Self.defaultVirtualKeyDirectory()
    }

    /// `$KEYBRIDGE_VKEY_DIR`, else `$XDG_RUNTIME_DIR/keybridge/vkeys`, else `/tmp/keybridge-UID/vkeys`.
    public static func defaultVirtualKeyDirectory() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let directory = environment[virtualKeyDirectoryVariable], !directory.isEmpty { return directory }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return runtime + "/keybridge/vkeys" }
        return "/tmp/keybridge-\(getuid())/vkeys"
    }

    /// Every key that can be reached now: USB keys, then contactless keys, then virtual keys.
    public func devices() -> [DeviceDescriptor] {
        usbDevices() + NFCDiscovery.devices() + virtualDevices()
    }

    /// The key with `id`, or the only key when `id` is nil.
    public func device(id: String?) throws(KeyBridgeError) -> DeviceDescriptor {
        if let id {
            if id.hasPrefix("nfc:") { return try NFCDiscovery.reader(String(id.dropFirst(4))) }
            if id.hasPrefix("vkey:") {
                let path = String(id.dropFirst(5))
                guard FileManager.default.fileExists(atPath: path) else { throw .deviceNotFound(id) }
                return .virtualKey(socketPath: path)
            }
            let all = devices()
            if let match = all.first(where: { $0.id == id || $0.path == id }) { return match }
            throw .deviceNotFound(id)
        }
        let all = devices()
        switch all.count {
        case 0: throw .deviceNotFound("")
        case 1: return all[0]
        default: throw .ambiguousDevice(all.map(\.id))
        }
    }

    /// USB HID keys listed by `fido_dev_info_manifest` (hidraw nodes the user can open), with
    /// the USB serial string from sysfs where the key has one.
    public func usbDevices() -> [DeviceDescriptor] {
        FidoLibrary.ensureInitialised()
        guard let list = fido_dev_info_new(maximumUSBDevices) else { return [] }
        var list0: OpaquePointer? = list
        defer { fido_dev_info_free(&list0, maximumUSBDevices) }
        var found = 0
        guard fido_dev_info_manifest(list, maximumUSBDevices, &found) == FIDO_OK else { return [] }
        return (0..<found).compactMap { index -> DeviceDescriptor? in
            guard let info = fido_dev_info_ptr(list, index), let path = fido_dev_info_path(info) else { return nil }
            let nodePath = String(cString: path)
            return DeviceDescriptor(
                id: "hid:\(nodePath)", transport: .usb, path: nodePath,
                manufacturer: fido_dev_info_manufacturer_string(info).map { String(cString: $0) } ?? "",
                product: fido_dev_info_product_string(info).map { String(cString: $0) } ?? "",
                vendorID: UInt16(bitPattern: fido_dev_info_vendor(info)),
                productID: UInt16(bitPattern: fido_dev_info_product(info)),
                serialNumber: USBSerialNumber.of(hidrawNode: nodePath))
        }.sorted { $0.id < $1.id }
    }

    /// Virtual keys: every Unix socket in ``virtualKeyDirectory`` except control sockets (`*.ctl`).
    /// Other files (such as the keys' `*.json` identities) are never listed.
    public func virtualDevices() -> [DeviceDescriptor] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: virtualKeyDirectory)) ?? []
        return names.sorted().compactMap { name in
            guard !name.hasSuffix(".ctl") else { return nil }
            let path = virtualKeyDirectory + "/" + name
            var status = stat()
            guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK else { return nil }
            return .virtualKey(socketPath: path)
        }
    }
}
