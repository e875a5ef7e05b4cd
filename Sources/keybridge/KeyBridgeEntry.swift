import ArgumentParser
import Foundation

/// keybridge's entry point. The command line is parsed first; a mistake in it — an unknown
/// command or option, a missing or malformed value, an option out of its range — exits with
/// status 2 and, with --json anywhere on the line, prints the error envelope
/// (`{"error": {"code": "invalidArguments", "message": …}}`) on stdout; the usage text goes to
/// stderr. Help and version requests print as usual and exit 0. Everything after parsing runs
/// as ArgumentParser runs it.
@main
enum KeyBridgeEntry {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let command: any ParsableCommand
        do {
            command = try KeyBridgeCommand.parseAsRoot(arguments)
        } catch {
            guard KeyBridgeCommand.exitCode(for: error) != .success else { KeyBridgeCommand.exit(withError: error) }
            reportUsageError(error, json: arguments.contains("--json"))
            Foundation.exit(2)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var synchronous = command
                try synchronous.run()
            }
        } catch {
            KeyBridgeCommand.exit(withError: error)
        }
    }

    /// The mistake as the envelope on stdout (with --json) and as text with the usage on stderr.
    private static func reportUsageError(_ error: any Error, json: Bool) {
        let message = KeyBridgeCommand.message(for: error)
        if json { try? Output.json(ErrorEnvelope(code: "invalidArguments", message: message)) }
        let text = KeyBridgeCommand.fullMessage(for: error)
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
