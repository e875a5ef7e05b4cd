import Foundation

/// A JSON-lines control socket: each line is a command object, each answer one JSON line.
/// The caller decides what the commands do (`handle` returns the reply object).
public final class ControlServer: @unchecked Sendable {
    private var listener: UnixSocketListener?

    public init(path: String, handle: @escaping @Sendable ([String: Any]) -> [String: Any]) throws {
        listener = try UnixSocketListener(path: path) { fd in
            var line: [UInt8] = []
            while let byte = SocketIO.read(fd, count: 1) {
                if byte[0] != 0x0A {
                    line.append(byte[0])
                    continue
                }
                let reply: [String: Any]
                if let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] {
                    reply = handle(object)
                } else {
                    reply = ["ok": false, "error": "each line must be a JSON object"]
                }
                line = []
                let data = (try? JSONSerialization.data(withJSONObject: reply, options: [.sortedKeys])) ?? Data("{}".utf8)
                guard SocketIO.write(fd, Array(data) + [0x0A]) else { break }
            }
            close(fd)
        }
    }

    public func stop() { listener?.stop() }
}
