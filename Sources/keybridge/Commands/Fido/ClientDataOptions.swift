import ArgumentParser
import KeyBridgeFIDO

/// `--challenge`+`--origin` (keybridge builds clientDataJSON) or `--client-data-hash`.
struct ClientDataOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The relying party's challenge, base64url (at least 16 bytes).", valueName: "b64url"))
    var challenge: String?

    @Option(name: .long, help: ArgumentHelp("The relying party's origin, e.g. https://example.com.", valueName: "url"))
    var origin: String?

    @Flag(name: .customLong("cross-origin"), help: "Set crossOrigin to true in clientDataJSON.")
    var crossOrigin = false

    @Option(
        name: .customLong("client-data-hash"), parsing: .unconditional,
        help: ArgumentHelp("A SHA-256 client-data hash, base64url, instead of --challenge/--origin.", valueName: "b64url"))
    var clientDataHash: String?

    func input() throws -> ClientDataInput {
        if let clientDataHash {
            guard challenge == nil else {
                throw KeyBridgeError.invalidArgument("give either --client-data-hash or --challenge with --origin, not both")
            }
            return .hash(try BinaryArgument.decode(clientDataHash, option: "--client-data-hash"))
        }
        guard let challenge, let origin else {
            throw KeyBridgeError.invalidArgument("give --challenge and --origin (or --client-data-hash)")
        }
        return .challenge(
            try BinaryArgument.decode(challenge, option: "--challenge"), origin: origin, crossOrigin: crossOrigin)
    }
}
