import Foundation

/// The USB-style identity a virtual key publishes beside its socket, in `<socket>.json`, the way
/// sysfs shows a real key's descriptor strings: `keybridge vkey serve` writes it atomically
/// when it starts and removes it when it stops, and discovery reads it into
/// ``DeviceDescriptor``. Every field is optional when read, so an older or partial file still
/// yields a descriptor.
///
/// ```json
/// {"manufacturer": "keybridge", "product": "Virtual security key", "productID": 0,
///  "serialNumber": "KB-0000001", "vendorID": 0}
/// ```
public struct VirtualKeyIdentity: Codable, Sendable, Equatable {
    /// The manufacturer string of keybridge's virtual keys.
    public static let defaultManufacturer = "keybridge"
    /// The product string of keybridge's virtual keys.
    public static let defaultProduct = "Virtual security key"

    /// The manufacturer string.
    public var manufacturer: String?
    /// The product string.
    public var product: String?
    /// The serial number string.
    public var serialNumber: String?
    /// The USB vendor id.
    public var vendorID: UInt16?
    /// The USB product id.
    public var productID: UInt16?

    public init(
        manufacturer: String?, product: String?, serialNumber: String?, vendorID: UInt16?, productID: UInt16?
    ) {
        self.manufacturer = manufacturer
        self.product = product
        self.serialNumber = serialNumber
        self.vendorID = vendorID
        self.productID = productID
    }

    /// Where the identity of the key on `socketPath` lives: `<socketPath>.json`.
    public static func path(socketPath: String) -> String { socketPath + ".json" }

    /// The identity published for `socketPath`; nil when there is none or it cannot be decoded.
    public static func read(socketPath: String) -> VirtualKeyIdentity? {
        guard let data = FileManager.default.contents(atPath: path(socketPath: socketPath)) else { return nil }
        return try? JSONDecoder().decode(VirtualKeyIdentity.self, from: data)
    }

    /// Writes the identity for `socketPath`: to a temporary file first, then renamed into place,
    /// so a reader never sees half a file.
    public func publish(socketPath: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let target = Self.path(socketPath: socketPath)
        let temporary = target + ".tmp-\(getpid())"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: try encoder.encode(self), attributes: [.posixPermissions: 0o644])
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary]) }
        guard rename(temporary, target) == 0 else {
            let code = errno
            unlink(temporary)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    /// Removes the identity published for `socketPath`, if any.
    public static func remove(socketPath: String) {
        unlink(path(socketPath: socketPath))
    }
}
