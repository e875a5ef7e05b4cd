import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A client connection to a virtual key's Unix socket that carries 64-byte HID reports.
///
/// This is the transport under libfido2's custom I/O hooks for virtual keys: libfido2 still does
/// all CTAPHID framing and CTAP2 CBOR; this type only moves whole reports. It is safe to call
/// ``write(_:)`` from one thread while another blocks in ``read(into:timeoutMilliseconds:)``,
/// which is exactly what `fido_dev_cancel` does.
final class HIDReportSocket: @unchecked Sendable {
    /// The size of one CTAPHID report.
    static let reportSize = 64

    private let fd: Int32
    private let writeLock = NSLock()
    private let observerLock = NSLock()
    private var _keepAliveObserver: (@Sendable (UInt8) -> Void)?
    private var _lastChannel: UInt32?
    private var _protocolError: String?

    /// Why the last read failed when the key broke CTAPHID — a report on a channel other than the
    /// one libfido2 is talking on (garbage included) — so the failure is named as a protocol
    /// error at once, not waited out as a missing touch. Cleared by ``resetProtocolError()``.
    var protocolError: String? { observerLock.withLock { _protocolError } }

    func resetProtocolError() { observerLock.withLock { _protocolError = nil } }

    /// Called with the status byte of every CTAPHID KEEPALIVE the key sends
    /// (1 = processing, 2 = waiting for user presence).
    var keepAliveObserver: (@Sendable (UInt8) -> Void)? {
        get { observerLock.withLock { _keepAliveObserver } }
        set { observerLock.withLock { _keepAliveObserver = newValue } }
    }

    /// Connects to the socket at `path`; nil when nothing listens there.
    init?(path: String) {
        guard let fd = try? UnixStreamSocket.connect(path: path) else { return nil }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends one report; returns false if the socket failed. Its channel is the one replies must come on.
    func write(_ report: UnsafeRawBufferPointer) -> Bool {
        let channel = Self.channel(report)
        observerLock.withLock { _lastChannel = channel }
        return writeLock.withLock {
            var sent = 0
            while sent < report.count {
                let n = send(fd, report.baseAddress! + sent, report.count - sent, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                sent += n
            }
            return true
        }
    }

    /// Reads exactly one report into `buffer` (at least 64 bytes), waiting at most
    /// `timeoutMilliseconds` (-1 waits forever). Returns false on timeout, EOF or error.
    func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int32) -> Bool {
        let deadline = timeoutMilliseconds < 0 ? nil : DispatchTime.now().uptimeNanoseconds
            + UInt64(timeoutMilliseconds) * 1_000_000
        var received = 0
        while received < Self.reportSize {
            var wait: Int32 = -1
            if let deadline {
                let now = DispatchTime.now().uptimeNanoseconds
                guard now < deadline else { return false }
                wait = Int32(max(1, (deadline - now) / 1_000_000))
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, wait)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return false }
            let n = recv(fd, buffer.baseAddress! + received, Self.reportSize - received, 0)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                if n == 0 {
                    observerLock.withLock { _protocolError = "the key closed the connection in the middle of a reply" }
                }
                return false
            }
            received += n
        }
        let channel = Self.channel(UnsafeRawBufferPointer(buffer))
        if let expected = observerLock.withLock({ _lastChannel }), channel != expected {
            let message = String(
                format: "a protocol error: the key answered on CTAPHID channel %08x, not %08x (a corrupted or foreign report)", channel, expected)
            observerLock.withLock { _protocolError = message }
            return false
        }
        notifyKeepAlive(buffer)
        return true
    }

    /// The channel id of a report (its first four bytes, big-endian).
    private static func channel(_ report: UnsafeRawBufferPointer) -> UInt32 {
        report.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    private func notifyKeepAlive(_ report: UnsafeMutableRawBufferPointer) {
        // CTAPHID initialisation packet: CID(4) · CMD|0x80 · BCNTH · BCNTL · data.
        guard report[4] == 0xBB, let observer = keepAliveObserver else { return }
        observer(report[7])
    }
}
