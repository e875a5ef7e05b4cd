import Foundation
import KeyBridgeFIDO
import XCTest

/// A `keybridge vkey serve` process, started for one test and stopped after it: the virtual key
/// always runs in a separate process, so libfido2 talks to it exactly as to a USB key.
final class VirtualKeyProcess {
    let directory: URL
    let socketPath: String
    /// The control socket: `--control PATH` when given, else the socket path + ".ctl".
    let controlPath: String
    private let process: Process
    private let logPath: String

    /// Starts a virtual key with extra `vkey serve` options and waits until its socket exists.
    init(options: [String] = [], directory: URL? = nil, name: String = "key.sock") throws {
        self.directory = try directory ?? TestPaths.temporaryDirectory()
        socketPath = self.directory.appendingPathComponent(name).path
        controlPath = options.firstIndex(of: "--control").map { options[$0 + 1] } ?? socketPath + ".ctl"
        logPath = self.directory.appendingPathComponent(name + ".log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.keybridge)
        process.arguments = ["vkey", "serve", "--hid-socket", socketPath] + options
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while !FileManager.default.fileExists(atPath: controlPath) {
            guard process.isRunning, Date() < deadline else {
                let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw NSError(
                    domain: "VirtualKeyProcess", code: 1,
                    userInfo: [NSLocalizedDescriptionKey: "vkey serve did not start: \(output)"])
            }
            usleep(20_000)
        }
    }

    deinit { stop() }

    var descriptor: DeviceDescriptor { .virtualKey(socketPath: socketPath) }
    var deviceID: String { descriptor.id }

    /// Opens the key through libfido2.
    func open() async throws -> SecurityKey { try await SecurityKey.open(descriptor) }

    /// Sends one JSON command to the key's control socket and returns its JSON reply.
    @discardableResult
    func control(_ command: [String: Any]) throws -> [String: Any] {
        let line = String(decoding: try JSONSerialization.data(withJSONObject: command), as: UTF8.self)
        let reply = Data(try UnixStreamSocket.exchangeLine(path: controlPath, line: line).utf8)
        guard let object = try JSONSerialization.jsonObject(with: reply) as? [String: Any] else {
            throw NSError(domain: "VirtualKeyProcess", code: 2)
        }
        return object
    }

    /// What the virtual key printed.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
