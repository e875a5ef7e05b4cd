import ArgumentParser

struct VKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vkey", abstract: "keybridge's virtual security key, for test rigs and CI without hardware.",
        subcommands: [VKeyServeCommand.self, VKeyControlCommand.self])
}
