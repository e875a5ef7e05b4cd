import Foundation
import KeyBridgeFIDO

/// A one-line exchange with a virtual key's control socket (JSON lines).
enum ControlSocket {
    /// Sends `command` and returns the reply object; throws unless the key answered `"ok": true`.
    @discardableResult
    static func send(_ command: [String: Any], to path: String) throws -> [String: Any] {
        let request = String(decoding: try JSONSerialization.data(withJSONObject: command), as: UTF8.self)
        let reply: String
        do {
            reply = try UnixStreamSocket.exchangeLine(path: path, line: request, timeout: 5)
        } catch {
            throw RigError.unreachable("the virtual key's control socket does not answer: \(error)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any],
            object["ok"] as? Bool == true
        else { throw RigError.unreachable("the control socket \(path) refused \(command["cmd"] ?? "")") }
        return object
    }
}
