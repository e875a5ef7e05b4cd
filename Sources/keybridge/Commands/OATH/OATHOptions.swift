import ArgumentParser
import Foundation
import KeyBridgeFIDO
import KeyBridgeYKOATH
import KeyBridgePCSC

/// Which OATH token to use and how to unlock it.
struct OATHOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The token: nfc:<reader name> as listed by `keybridge devices`, or a reader name. Omit it with one token.",
            valueName: "id"))
    var device: String?

    @Option(
        name: .customLong("password-file"),
        help: ArgumentHelp(
            "Read the OATH password from this file (or set KEYBRIDGE_OATH_PASSWORD); otherwise it is asked for if needed.",
            valueName: "file"))
    var passwordFile: String?

    /// Connects to the token, selects the applet and unlocks it when it has a password.
    func open() throws -> (OATHSession, PCSCCard) {
        let context: PCSCContext
        do { context = try PCSCContext() } catch { throw OATHError.pcsc(error) }
        let reader = try chooseReader(context)
        let card: PCSCCard
        do { card = try context.connect(reader: reader) } catch { throw OATHError.pcsc(error) }
        let session = try OATHSession(card: card)
        if session.isLocked {
            guard let password = try PINInput.read(file: passwordFile, environment: "KEYBRIDGE_OATH_PASSWORD", prompt: "OATH password: ")
            else { throw OATHError.authenticationRequired }
            try session.unlock(password: password)
        }
        return (session, card)
    }

    private func chooseReader(_ context: PCSCContext) throws -> String {
        if let device {
            return device.hasPrefix("nfc:") ? String(device.dropFirst(4)) : device
        }
        let statuses: [ReaderStatus]
        do { statuses = try context.statuses() } catch { throw OATHError.pcsc(error) }
        let tokens = statuses.filter(\.cardPresent).filter {
            NFCDiscovery.probe(context: context, reader: $0.reader).contains("oath")
        }
        switch tokens.count {
        case 0: throw KeyBridgeError.deviceNotFound("")
        case 1: return tokens[0].reader
        default: throw KeyBridgeError.ambiguousDevice(tokens.map { "nfc:\($0.reader)" })
        }
    }
}

/// Runs an OATH command body, mapping OATH and PC/SC errors to messages, JSON and exit codes.
enum OATHReporting {
    static func run(json: Bool, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await Output.reporting(json: json) {
            do {
                try await body()
            } catch let error as OATHError {
                if json {
                    try? Output.json(["error": ["code": error.code, "message": error.description]])
                } else {
                    Output.note("keybridge: \(error.description)")
                }
                throw ExitCode(exitCode(error))
            }
        }
    }

    static func exitCode(_ error: OATHError) -> Int32 {
        switch error {
        case .malformedURI, .invalidCredential: 2
        case .noOATHApplet: 8
        case .authenticationRequired, .wrongPassword: 4
        case .noSuchCredential, .noSpace: 6
        case .malformedResponse, .status, .transport: 7
        }
    }
}
