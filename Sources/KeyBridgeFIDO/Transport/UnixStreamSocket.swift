import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Connecting to a Unix-domain stream socket by path: the one place that fills a `sockaddr_un`
/// on the client side (virtual keys' HID sockets and control sockets).
public enum UnixStreamSocket {
    /// Why a connection could not be made.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Connects to the socket at `path` and returns the descriptor (the caller closes it).
    public static func connect(path: String) throws(Failure) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw Failure(description: "the socket path \(path) is longer than a socket address holds")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "cannot create a socket: \(String(cString: strerror(errno)))") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "nothing answers on \(path): \(reason)")
        }
        return fd
    }

    /// Sends `line` and a newline to the socket at `path` and returns the one line that comes
    /// back (without its newline), waiting at most `timeout` seconds: the JSON-lines exchange of a
    /// virtual key's control socket.
    public static func exchangeLine(path: String, line: String, timeout: Int = 10) throws(Failure) -> String {
        let fd = try connect(path: path)
        defer { close(fd) }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let payload = Array((line + "\n").utf8)
        guard payload.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == payload.count else {
            throw Failure(description: "\(path) closed before the request was sent")
        }
        var reply: [UInt8] = []
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, 0) == 1 && byte != 0x0A { reply.append(byte) }
        return String(decoding: reply, as: UTF8.self)
    }
}
