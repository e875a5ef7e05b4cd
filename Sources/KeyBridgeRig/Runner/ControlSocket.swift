import Foundation
import KeyBridgeFIDO
#if canImport(Glibc)
import Glibc
#endif

/// A one-line exchange with a virtual key's control socket (JSON lines).
enum ControlSocket {
    @discardableResult
    static func send(_ command: [String: Any], to path: String) throws -> [String: Any] {
        let fd: Int32
        do {
            fd = try UnixStreamSocket.connect(path: path)
        } catch {
            throw RigError.unreachable("the virtual key's control socket does not answer: \(error)")
        }
        defer { close(fd) }
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
