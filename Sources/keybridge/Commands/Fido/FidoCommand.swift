import ArgumentParser

struct FidoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fido",
        abstract: "FIDO2 operations: register, sign in, PIN, stored credentials, reset.",
        subcommands: [
            MakeCredentialCommand.self, GetAssertionCommand.self, PINCommand.self, CredentialsCommand.self,
            ResetCommand.self,
        ])
}
