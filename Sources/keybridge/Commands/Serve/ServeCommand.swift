import ArgumentParser
import KeyBridgeServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the directory over HTTP in Microsoft Graph's shapes.",
        discussion: ServeOptions.discussion + "\nThe same server without the key stack: `keybridge-server`.")
    @OptionGroup var options: ServeOptions

    func validate() throws { try options.validate() }

    func run() async throws { try await options.run() }
}
