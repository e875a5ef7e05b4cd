import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Serves a virtual key on a Unix socket as a USB HID key would: every message in both
/// directions is one 64-byte CTAPHID report. Each client connection is like an open hidraw
/// handle; replies (and keep-alives) go to the connection that sent the request.
public final class VirtualKeyHIDServer: @unchecked Sendable {
    public let device: CTAPHIDDevice
    public let socketPath: String
    private var listener: UnixSocketListener?

    /// Starts listening; the socket exists when this returns.
    public init(authenticator: VirtualAuthenticator, socketPath: String) throws {
        device = CTAPHIDDevice(authenticator: authenticator)
        self.socketPath = socketPath
        let device = self.device
        listener = try UnixSocketListener(path: socketPath) { fd in
            let connection = SocketReportSink(fd: fd)
            while let report = SocketIO.read(fd, count: 64) {
                device.receive(report, from: connection)
            }
            device.disconnected(connection)
            connection.close()
        }
    }

    /// Stops accepting connections and removes the socket file.
    public func stop() { listener?.stop() }
}

/// One client connection, as a place to write reports.
final class SocketReportSink: HIDReportSink, @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var open = true

    init(fd: Int32) { self.fd = fd }

    func send(_ report: [UInt8]) -> Bool {
        lock.withLock { open && SocketIO.write(fd, report) }
    }

    func close() {
        lock.withLock {
            guard open else { return }
            open = false
            shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
        }
    }
}
