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
        let line = try JSONSerialization.data(withJSONObject: command) + Data("\n".utf8)
        let reply = try UnixLineClient.exchange(path: controlPath, line: line)
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

/// A tiny blocking client for line-based Unix sockets.
enum UnixLineClient {
    static func exchange(path: String, line: Data) throws -> Data {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        _ = line.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var reply = Data()
        var byte: UInt8 = 0
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while recv(fd, &byte, 1, 0) == 1 {
            if byte == 0x0A { break }
            reply.append(byte)
        }
        return reply
    }
}
