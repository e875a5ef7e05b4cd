import Foundation

/// How one-time codes reach phones and mailboxes. Production plugs in an SMS/voice/mail gateway;
/// the embedded default writes to an outbox file a person can read.
public protocol CodeDelivery: Sendable {
    func deliver(_ message: String, to destination: String, via channel: DeliveryChannel) throws(RegistrationError)
}

public enum DeliveryChannel: String, Codable, Sendable {
    case sms
    case voice
    case email
}

/// Appends one JSON line per message to a file: `{"time", "channel", "to", "message"}`.
public struct OutboxDelivery: CodeDelivery {
    public let path: String

    public init(path: String) { self.path = path }

    public func deliver(_ message: String, to destination: String, via channel: DeliveryChannel) throws(RegistrationError) {
        let entry: [String: String] = [
            "time": ISO8601DateFormatter().string(from: Date()), "channel": channel.rawValue, "to": destination,
            "message": message,
        ]
        guard var line = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys]) else {
            throw .store("cannot encode an outbox entry")
        }
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw .store("cannot create the outbox \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw .store("cannot open the outbox \(path)") }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(line)
    }
}
