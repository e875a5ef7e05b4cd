import Foundation

/// Per-command counts and the time the core spent on them, presence waits excluded.
public struct AuthenticatorStatistics: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var count = 0
        public var totalMilliseconds = 0.0
    }

    public var commands: [String: Entry] = [:]

    mutating func record(_ command: String, seconds: Double) {
        commands[command, default: Entry()].count += 1
        commands[command, default: Entry()].totalMilliseconds += seconds * 1000
    }
}
