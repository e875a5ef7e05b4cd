import Foundation
import FuzzSupport
import KeyBridgeAuthenticator

/// The virtual key's CTAPHID layer: the input is cut into 64-byte reports (the last one padded
/// with zeros) and fed to one device, as one client connection. Channel 0x11223344 is allocated
/// up front so inputs can skip INIT. The connection closes after each input, which ends any
/// message still being assembled or run.
private let device: CTAPHIDDevice = {
    var configuration = AuthenticatorConfiguration()
    configuration.presence = .approve
    configuration.userActionTimeoutMilliseconds = 10
    do {
        let device = CTAPHIDDevice(authenticator: try VirtualAuthenticator(configuration: configuration))
        let sink = DiscardingSink()
        var initialize = [UInt8](repeating: 0, count: 64)
        initialize.replaceSubrange(0..<8, with: [0x11, 0x22, 0x33, 0x44, 0x86, 0x00, 0x08, 0x01])
        device.receive(initialize, from: sink)
        return device
    } catch {
        fatalError("cannot create the virtual authenticator: \(error)")
    }
}()

/// A client connection that drops what the device sends, checking only the report size.
private final class DiscardingSink: HIDReportSink, @unchecked Sendable {
    func send(_ report: [UInt8]) -> Bool {
        precondition(report.count == 64, "the device sent a report of \(report.count) bytes")
        return true
    }

    func close() {}
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let sink = DiscardingSink()
    var offset = 0
    while offset < bytes.count {
        var report = Array(bytes[offset..<min(offset + 64, bytes.count)])
        report += [UInt8](repeating: 0, count: 64 - report.count)
        device.receive(report, from: sink)
        offset += 64
    }
    device.disconnected(sink)
    return 0
}
