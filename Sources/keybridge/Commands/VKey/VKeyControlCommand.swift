import ArgumentParser
import Foundation
import KeyBridgeFIDO

struct VKeyControlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control",
        abstract: "Send one command to a running virtual key's control socket and print its reply.",
        discussion: "Example: keybridge vkey control --socket /run/user/1000/keybridge/vkeys/key.sock.ctl '{\"cmd\":\"touch\"}'")

    @Option(name: .long, help: ArgumentHelp("The control socket (the HID socket path + .ctl).", valueName: "path"))
    var socket: String
    @Argument(help: "A JSON command object.") var command: String

    func run() async throws {
        try await Output.reporting(json: true) {
            guard (try? JSONSerialization.jsonObject(with: Data(command.utf8))) is [String: Any] else {
                throw KeyBridgeError.invalidArgument("the command must be a JSON object such as {\"cmd\":\"touch\"}")
            }
            guard let reply = ControlClient.exchange(path: socket, line: command) else {
                throw KeyBridgeError.deviceNotFound("vkey control socket \(socket)")
            }
            print(reply)
        }
    }
}

/// One request/reply on a JSON-lines Unix socket.
enum ControlClient {
    static func exchange(path: String, line: String) -> String? {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return nil }
        let payload = Array((line + "\n").utf8)
        guard payload.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == payload.count else {
            return nil
        }
        var reply: [UInt8] = []
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, 0) == 1 && byte != 0x0A { reply.append(byte) }
        return String(decoding: reply, as: UTF8.self)
    }
}
