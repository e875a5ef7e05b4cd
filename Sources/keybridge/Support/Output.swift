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
    /// Ctrl-C cancels the running task, which cancels the key (`fido_dev_cancel`); a second
    /// Ctrl-C exits at once.
    static func reporting(json: Bool, _ body: @escaping @Sendable () async throws -> Void) async throws {
        let task = Task { try await body() }
        let interrupt = InterruptHandler { task.cancel() }
        defer { interrupt.stop() }
        do {
            try await task.value
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

/// Turns SIGINT into task cancellation.
final class InterruptHandler: @unchecked Sendable {
    private let source: any DispatchSourceSignal

    init(onInterrupt: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let count = Counter()
        source.setEventHandler {
            if count.increment() > 1 { exit(130) }
            FileHandle.standardError.write(Data("\nCancelling…\n".utf8))
            onInterrupt()
        }
        source.resume()
        self.source = source
    }

    func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int { lock.withLock { value += 1; return value } }
    }
}
