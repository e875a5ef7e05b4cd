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
            guard let reply = try? UnixStreamSocket.exchangeLine(path: socket, line: command) else {
                throw KeyBridgeError.deviceNotFound("vkey control socket \(socket)")
            }
            print(reply)
        }
    }
}
