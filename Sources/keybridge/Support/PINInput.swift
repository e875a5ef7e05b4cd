import ArgumentParser
import Foundation
import KeyBridgeFIDO

/// Where the PIN comes from: a file, an environment variable, or a no-echo prompt.
struct PINOptions: ParsableArguments {
    @Option(
        name: .customLong("pin-file"),
        help: ArgumentHelp(
            "Read the PIN from the first line of this file (or set KEYBRIDGE_PIN). Otherwise it is asked for without echo.",
            valueName: "file"))
    var pinFile: String?

    /// The current PIN, or nil when none is available and prompting is impossible.
    func currentPIN(prompt: String = "PIN: ") throws -> String? {
        try PINInput.read(file: pinFile, environment: "KEYBRIDGE_PIN", prompt: prompt)
    }

    /// The current PIN, failing with `pinRequired` when none can be had.
    func requiredPIN(prompt: String = "PIN: ") throws -> String {
        guard let pin = try currentPIN(prompt: prompt) else { throw KeyBridgeError.pinRequired }
        return pin
    }
}

enum PINInput {
    /// Reads a secret from `file`, else the environment variable, else a terminal prompt without echo.
    static func read(file: String?, environment: String, prompt: String) throws -> String? {
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw KeyBridgeError.invalidArgument("cannot read the PIN file \(file)")
            }
            return text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        }
        if let value = ProcessInfo.processInfo.environment[environment], !value.isEmpty { return value }
        guard isatty(STDIN_FILENO) != 0 else { return nil }
        return readWithoutEcho(prompt: prompt)
    }

    /// Prompts on stderr and reads one line from the terminal with echo turned off.
    static func readWithoutEcho(prompt: String) -> String? {
        FileHandle.standardError.write(Data(prompt.utf8))
        var original = termios()
        tcgetattr(STDIN_FILENO, &original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true)
    }

    /// Asks for a new PIN twice (or reads it from a file / KEYBRIDGE_NEW_PIN) and checks both match.
    static func newPIN(file: String?) throws -> String {
        if file != nil || ProcessInfo.processInfo.environment["KEYBRIDGE_NEW_PIN"].map({ !$0.isEmpty }) == true {
            return try read(file: file, environment: "KEYBRIDGE_NEW_PIN", prompt: "") ?? ""
        }
        guard isatty(STDIN_FILENO) != 0 else {
            throw KeyBridgeError.invalidArgument("no new PIN: pass --new-pin-file or set KEYBRIDGE_NEW_PIN")
        }
        let first = readWithoutEcho(prompt: "New PIN: ") ?? ""
        let second = readWithoutEcho(prompt: "Repeat the new PIN: ") ?? ""
        guard first == second else { throw KeyBridgeError.invalidArgument("the two PINs differ; nothing was changed") }
        return first
    }
}
