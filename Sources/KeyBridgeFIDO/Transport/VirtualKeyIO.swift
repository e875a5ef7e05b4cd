import CFido2
import Foundation

/// libfido2 custom I/O hooks (`fido_dev_io_t`) that reach a virtual key over its Unix socket.
///
/// libfido2 calls `open` with the path given to `fido_dev_open` (the socket path), writes
/// 65-byte reports (report id 0, then 64 bytes) and reads 64-byte reports. The C callbacks
/// cannot capture context, so the handle they pass around is a retained ``HIDReportSocket``.
enum VirtualKeyIO {
    /// The hook table handed to `fido_dev_set_io_functions`.
    static var functions: fido_dev_io_t {
        fido_dev_io_t(open: openHook, close: closeHook, read: readHook, write: writeHook)
    }

    /// The protocol error of the last socket closed on this thread, if it had one: when
    /// `fido_dev_open` fails, libfido2 closes the socket before the caller can ask it why.
    static var lastClosedProtocolError: String? {
        get { Thread.current.threadDictionary[protocolErrorKey] as? String }
        set { Thread.current.threadDictionary[protocolErrorKey] = newValue }
    }
    private static let protocolErrorKey = "keybridge.virtualKey.protocolError"

    /// The socket behind an open libfido2 device that uses these hooks.
    static func socket(of device: OpaquePointer) -> HIDReportSocket? {
        guard let handle = fido_dev_io_handle(device) else { return nil }
        return Unmanaged<HIDReportSocket>.fromOpaque(handle).takeUnretainedValue()
    }
}

private func openHook(_ path: UnsafePointer<CChar>?) -> UnsafeMutableRawPointer? {
    guard let path, let socket = HIDReportSocket(path: String(cString: path)) else { return nil }
    return Unmanaged.passRetained(socket).toOpaque()
}

private func closeHook(_ handle: UnsafeMutableRawPointer?) {
    guard let handle else { return }
    let socket = Unmanaged<HIDReportSocket>.fromOpaque(handle)
    VirtualKeyIO.lastClosedProtocolError = socket.takeUnretainedValue().protocolError
    socket.release()
}

private func readHook(
    _ handle: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UInt8>?, _ length: Int, _ ms: Int32
) -> Int32 {
    guard let handle, let buffer, length >= HIDReportSocket.reportSize else { return -1 }
    let socket = Unmanaged<HIDReportSocket>.fromOpaque(handle).takeUnretainedValue()
    let target = UnsafeMutableRawBufferPointer(start: buffer, count: HIDReportSocket.reportSize)
    return socket.read(into: target, timeoutMilliseconds: ms) ? Int32(HIDReportSocket.reportSize) : -1
}

private func writeHook(_ handle: UnsafeMutableRawPointer?, _ buffer: UnsafePointer<UInt8>?, _ length: Int) -> Int32 {
    // libfido2 writes the report id (0) followed by one 64-byte report.
    guard let handle, let buffer, length == HIDReportSocket.reportSize + 1 else { return -1 }
    let socket = Unmanaged<HIDReportSocket>.fromOpaque(handle).takeUnretainedValue()
    let report = UnsafeRawBufferPointer(start: buffer + 1, count: HIDReportSocket.reportSize)
    return socket.write(report) ? Int32(length) : -1
}
