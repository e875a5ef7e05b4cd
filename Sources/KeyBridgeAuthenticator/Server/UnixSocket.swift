import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Blocking stream-socket I/O shared by the virtual key's servers and the virtual card's vpcd link.
public enum SocketIO {
    /// Reads exactly `count` bytes; nil on EOF or error.
    public static func read(_ fd: Int32, count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, count - received, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            received += n
        }
        return buffer
    }

    /// Writes all of `bytes`; false on error.
    public static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }
}

/// Blocking Unix-domain stream sockets: a listener and its connections.
enum UnixSocket {
    /// Binds and listens on `path` (replacing a stale socket file) with mode 0600.
    static func listen(path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        unlink(path)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw POSIXError(.ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o600) == 0, Glibc.listen(fd, 16) == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return fd
    }
}

/// Accepts connections on a Unix socket and runs `handle` for each on its own thread.
final class UnixSocketListener: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var running = true

    init(path: String, handle: @escaping @Sendable (Int32) -> Void) throws {
        self.path = path
        fd = try UnixSocket.listen(path: path)
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return
                }
                let worker = Thread { handle(client) }
                worker.start()
            }
        }
        thread.name = "listener \(path)"
        thread.start()
    }

    func stop() {
        lock.withLock { running = false }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        unlink(path)
    }
}
