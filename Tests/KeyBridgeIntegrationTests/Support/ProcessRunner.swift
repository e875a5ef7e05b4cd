import Foundation

/// Runs a command to completion and captures its output.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var stdoutData: Data { Data(stdout.utf8) }
}

enum ProcessRunner {
    /// Runs `executable` with `arguments`, feeding `input` on stdin, with extra environment.
    static func run(
        _ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String] = [:],
        timeout: TimeInterval = 60
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(input) }
        try inPipe.fileHandleForWriting.close()
        let outData = DispatchGroup()
        nonisolated(unsafe) var stdoutBytes = Data()
        nonisolated(unsafe) var stderrBytes = Data()
        outData.enter()
        DispatchQueue.global().async {
            stdoutBytes = out.fileHandleForReading.readDataToEndOfFile()
            outData.leave()
        }
        outData.enter()
        DispatchQueue.global().async {
            stderrBytes = err.fileHandleForReading.readDataToEndOfFile()
            outData.leave()
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            let grace = Date().addingTimeInterval(2)
            while process.isRunning && Date() < grace { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        _ = outData.wait(timeout: .now() + 5)
        let reaped = Date().addingTimeInterval(5)
        while process.isRunning && Date() < reaped { usleep(10_000) }
        return ProcessResult(
            status: process.isRunning ? -1 : process.terminationStatus, stdout: String(decoding: stdoutBytes, as: UTF8.self),
            stderr: String(decoding: stderrBytes, as: UTF8.self))
    }
}
