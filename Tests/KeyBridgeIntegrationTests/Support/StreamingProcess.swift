import Foundation

/// A long-running command whose stdout lines are collected as they arrive.
final class StreamingProcess: @unchecked Sendable {
    private let process = Process()
    private let condition = NSCondition()
    private var lines: [String] = []
    private var partial = Data()

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.condition.withLock {
                self.partial += data
                while let newline = self.partial.firstIndex(of: 0x0A) {
                    self.lines.append(String(decoding: self.partial[self.partial.startIndex..<newline], as: UTF8.self))
                    self.partial = Data(self.partial[(newline + 1)...])
                }
                self.condition.broadcast()
            }
        }
        try process.run()
    }

    deinit { stop() }

    /// Waits until a line satisfying `predicate` has arrived; returns it, or nil after `timeout`.
    func waitForLine(timeout: TimeInterval, _ predicate: (String) -> Bool) -> String? {
        condition.withLock {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                if let line = lines.first(where: predicate) { return line }
                if !condition.wait(until: deadline) { return lines.first(where: predicate) }
            }
        }
    }

    var allLines: [String] { condition.withLock { lines } }

    func stop() {
        if process.isRunning {
            process.interrupt()
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }
}
