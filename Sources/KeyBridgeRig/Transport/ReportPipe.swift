import Foundation
import KeyBridgeFIDO
#if canImport(Glibc)
import Glibc
#endif

/// Whole 64-byte HID reports to and from one key, raw: the rig frames CTAPHID itself so it can
/// also send what a conforming client never would (a wrong sequence number, a foreign channel).
///
/// Two kinds: a Linux hidraw node (writes carry a leading report id 0) and a keybridge virtual
/// key's Unix socket (reports as they are). Reads and writes block the calling thread, which is
/// always the key's own worker thread, never Swift's cooperative pool.
public final class ReportPipe: @unchecked Sendable {
    /// The size of one CTAPHID report.
    public static let reportSize = 64

    private let fd: Int32
    private let prefixReportID: Bool
    private let lock = NSLock()
    private var closed = false

    private init(fd: Int32, prefixReportID: Bool) {
        self.fd = fd
        self.prefixReportID = prefixReportID
    }

    deinit { close() }

    /// Opens a hidraw node (`/dev/hidrawN`) for reading and writing.
    public static func hidraw(_ path: String) throws(RigError) -> ReportPipe {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw .unreachable("cannot open \(path): \(String(cString: strerror(errno)))") }
        return ReportPipe(fd: fd, prefixReportID: true)
    }

    /// Connects to a virtual key's HID socket.
    public static func unixSocket(_ path: String) throws(RigError) -> ReportPipe {
        do {
            return ReportPipe(fd: try UnixStreamSocket.connect(path: path), prefixReportID: false)
        } catch {
            throw .unreachable(error.description)
        }
    }

    /// Sends one report (padded with zeros to 64 bytes).
    public func write(_ report: [UInt8]) throws(RigError) {
        var bytes = Array(report.prefix(Self.reportSize))
        bytes += [UInt8](repeating: 0, count: Self.reportSize - bytes.count)
        if prefixReportID { bytes.insert(0, at: 0) }
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                prefixReportID
                    ? Glibc.write(fd, raw.baseAddress! + sent, raw.count - sent)
                    : send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .unreachable("the key went away while a report was written") }
            sent += n
        }
    }

    /// Reads one report, waiting at most `timeout` seconds; nil on timeout.
    public func read(timeout: TimeInterval) throws(RigError) -> [UInt8]? {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: Self.reportSize)
        var received = 0
        while received < Self.reportSize {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return nil }  // a report cut short by the deadline is dropped
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(max(1, (left * 1000).rounded(.up))))
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { continue }
            guard ready > 0 else { throw .unreachable("polling the key failed: \(String(cString: strerror(errno)))") }
            let n = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress! + received, Self.reportSize - received)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .unreachable("the key went away (its connection closed)") }
            // hidraw delivers whole reports; a stream socket may split them.
            received += n
            if prefixReportID { break }
        }
        return buffer
    }

    /// Discards reports already waiting (after an aborted exchange).
    public func drain() {
        while let report = try? read(timeout: 0.02), report.count == Self.reportSize {}
    }

    /// Closes the pipe. Safe to call more than once.
    public func close() {
        let wasOpen = lock.withLock {
            defer { closed = true }
            return !closed
        }
        if wasOpen { Glibc.close(fd) }
    }
}
