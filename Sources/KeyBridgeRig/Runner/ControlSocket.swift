import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-line exchange with a virtual key's control socket (JSON lines).
enum ControlSocket {
    @discardableResult
    static func send(_ command: [String: Any], to path: String) throws -> [String: Any] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RigError.unreachable("cannot create a socket") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw RigError.usage("\(path) is too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw RigError.unreachable("the virtual key's control socket \(path) does not answer") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let line = Array(try JSONSerialization.data(withJSONObject: command)) + [0x0A]
        guard Glibc.send(fd, line, line.count, Int32(MSG_NOSIGNAL)) == line.count else {
            throw RigError.unreachable("the control socket \(path) closed")
        }
        var reply: [UInt8] = []
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, 0) == 1, byte != 0x0A { reply.append(byte) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any],
            object["ok"] as? Bool == true
        else { throw RigError.unreachable("the control socket \(path) refused \(command["cmd"] ?? "")") }
        return object
    }
}
