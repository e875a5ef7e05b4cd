import ArgumentParser
import Foundation
import KeyBridgeFIDO

/// Writes results and errors in the form the user asked for.
enum Output {
    /// Prints `value` as pretty, key-sorted JSON on stdout.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// Prints a line for people on stdout.
    static func line(_ text: String) { print(text) }

    /// Prints a note for people on stderr (prompts, progress, warnings).
    static func note(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    /// Runs `body`, turning a ``KeyBridgeError`` into its message (or JSON error object) and exit code.
    static func reporting(json: Bool, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as KeyBridgeError {
            if json {
                try? Output.json(ErrorEnvelope(error))
            } else {
                note("keybridge: \(error.description)")
            }
            throw ExitCode(error.exitCode)
        }
    }
}

/// `{"error": {"code", "message", "retriesLeft"?}}`: the JSON shape of every failure.
struct ErrorEnvelope: Encodable {
    struct Body: Encodable {
        var code: String
        var message: String
        var retriesLeft: Int?
        var devices: [String]?
        var ctapStatus: Int?
    }
    var error: Body

    init(_ error: KeyBridgeError) {
        var body = Body(code: error.code, message: error.description)
        switch error {
        case .pinInvalid(let left): body.retriesLeft = left
        case .ambiguousDevice(let ids): body.devices = ids
        case .ctap(let status): body.ctapStatus = status
        default: break
        }
        self.error = body
    }
}
