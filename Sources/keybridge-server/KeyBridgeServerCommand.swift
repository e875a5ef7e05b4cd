import ArgumentParser
import KeyBridgeServer

/// `keybridge-server`: `keybridge serve` alone. This executable links no libfido2, libudev or
/// pcsclite — a server never touches a key.
@main
struct KeyBridgeServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keybridge-server", abstract: "Serve the directory over HTTP in Microsoft Graph's shapes.",
        discussion: ServeOptions.discussion)
    @OptionGroup var options: ServeOptions

    func validate() throws { try options.validate() }

    func run() async throws { try await options.run() }
}
