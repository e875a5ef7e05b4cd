import ArgumentParser

struct RigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rig",
        abstract: "Test many security keys at once: CTAP 2.1 conformance, endurance, latency.",
        subcommands: [RigRunCommand.self, RigListCommand.self])
}
