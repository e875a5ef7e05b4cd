import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The virtual key as a kernel HID device through `/dev/uhid` (Linux): the kernel makes a
/// `/dev/hidrawN` node for it that every FIDO client on the machine can open (libfido2, browsers,
/// pam_u2f), and udev sees it like a USB key. Reports from the host go to the same
/// ``CTAPHIDDevice`` the HID socket uses; its replies go back as input reports, which the kernel
/// hands to every open hidraw handle, as a USB key's do.
///
/// ``unplug()`` destroys the kernel device (the node disappears), ``plug()`` creates it again;
/// ``stop()`` destroys it and closes `/dev/uhid`.
public final class UHIDKey: @unchecked Sendable {
    /// What the kernel device says it is.
    public struct Identity: Sendable {
        public var name: String
        public var serialNumber: String
        public var vendorID: UInt16
        public var productID: UInt16
        public var version: UInt32

        public init(name: String, serialNumber: String, vendorID: UInt16, productID: UInt16, version: UInt32 = 0x0100) {
            self.name = name
            self.serialNumber = serialNumber
            self.vendorID = vendorID
            self.productID = productID
            self.version = version
        }
    }

    /// Why the UHID device could not be made.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let device: CTAPHIDDevice
    public let identity: Identity
    private let fd: Int32
    private let lock = NSLock()
    private var created = false
    private var running = true
    private let sink: UHIDReportSink

    /// Opens `/dev/uhid` (or `path`) and creates the device.
    public init(authenticator: VirtualAuthenticator, identity: Identity, path: String = "/dev/uhid") throws {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw Failure(
                description: "cannot open \(path): \(reason) (load the uhid module with `modprobe uhid`, and run as root or a user allowed to write \(path))")
        }
        self.fd = fd
        self.identity = identity
        device = CTAPHIDDevice(authenticator: authenticator)
        sink = UHIDReportSink(fd: fd)
        try plug()
        let thread = Thread { [self] in readLoop() }
        thread.name = "uhid \(identity.serialNumber)"
        thread.start()
    }

    /// Whether the kernel device exists now.
    public var isPlugged: Bool { lock.withLock { created } }

    /// Creates the kernel device (after ``unplug()``); nothing when it exists.
    public func plug() throws {
        try lock.withLock {
            guard !created else { return }
            let event = UHIDEvent.create2(
                name: identity.name, phys: "keybridge-vkey/\(identity.serialNumber)", uniq: identity.serialNumber,
                vendor: UInt32(identity.vendorID), product: UInt32(identity.productID), version: identity.version)
            guard Self.write(fd, event) else {
                throw Failure(description: "the kernel refused the UHID device: \(String(cString: strerror(errno)))")
            }
            created = true
        }
    }

    /// Destroys the kernel device: its hidraw node disappears, as when a key is pulled out.
    public func unplug() {
        lock.withLock {
            guard created else { return }
            _ = Self.write(fd, UHIDEvent.destroy())
            created = false
        }
        device.disconnected(sink)
    }

    /// Destroys the device and closes `/dev/uhid`.
    public func stop() {
        unplug()
        lock.withLock { running = false }
        close(fd)
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: UHIDEvent.size + 64)
        while lock.withLock({ running }) {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            switch UHIDEvent.parse(Array(buffer[0..<n])) {
            case .output(let report)?:
                guard report.count == 64 else { continue }
                device.receive(report, from: sink)
            case .request(let kind, let id)?:
                _ = lock.withLock { Self.write(fd, UHIDEvent.refuse(kind, id: id)) }
            default:
                continue
            }
        }
    }

    static func write(_ fd: Int32, _ event: [UInt8]) -> Bool {
        event.withUnsafeBytes { raw in
            while true {
                let n = Glibc.write(fd, raw.baseAddress, raw.count)
                if n < 0 && errno == EINTR { continue }
                return n == raw.count
            }
        }
    }
}

/// Where the device's replies go: input reports through `/dev/uhid`.
final class UHIDReportSink: HIDReportSink, @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()

    init(fd: Int32) { self.fd = fd }

    func send(_ report: [UInt8]) -> Bool {
        lock.withLock { UHIDKey.write(fd, UHIDEvent.input2(report)) }
    }

    /// The kernel device outlives one client: nothing to close.
    func close() {}
}
