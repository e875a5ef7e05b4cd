import ArgumentParser
import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration

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
    /// Control characters in `text` are escaped (``TerminalText``): one call, one line.
    static func line(_ text: String) { print(TerminalText.safe(text)) }

    /// Prints a note for people on stderr (prompts, progress, warnings).
    static func note(_ text: String) { FileHandle.standardError.write(Data((TerminalText.safe(text) + "\n").utf8)) }

    /// Runs `body`, turning a ``KeyBridgeError``, a ``RegistrationError`` or an ``EnrollmentFailure``
    /// into its message (or JSON error object, in `catalog`'s language) and exit code.
    /// Ctrl-C cancels the running task, which cancels the key (`fido_dev_cancel`); a second
    /// Ctrl-C exits at once.
    static func reporting(
        json: Bool, catalog: MessageCatalog = MessageCatalog(language: "en"), _ body: @escaping @Sendable () async throws -> Void
    ) async throws {
        let task = Task { try await body() }
        let interrupt = InterruptHandler { task.cancel() }
        defer { interrupt.stop() }
        do {
            try await task.value
        } catch let error as KeyBridgeError {
            throw ExitCode(report(error, json: json, catalog: catalog))
        } catch let error as RegistrationError {
            throw ExitCode(report(error, json: json, catalog: catalog))
        } catch let error as EnrollmentFailure {
            throw ExitCode(report(error, json: json, catalog: catalog))
        } catch let error as RemoteDirectoryError {
            throw ExitCode(report(error, json: json, catalog: catalog))
        } catch is CancellationError {
            throw ExitCode(report(KeyBridgeError.cancelled, json: json, catalog: catalog))
        }
    }

    /// Prints a keybridge error as its message or JSON envelope and returns its exit status;
    /// other errors are rethrown as they are.
    @discardableResult
    static func report(_ error: any Error, json: Bool, catalog: MessageCatalog) -> Int32 {
        let envelope: ErrorEnvelope
        let status: Int32
        switch error {
        case let error as KeyBridgeError:
            envelope = ErrorEnvelope(error)
            status = error.exitCode
        case let error as RegistrationError:
            envelope = ErrorEnvelope(code: error.code, message: error.message(catalog), detail: error.detail)
            status = error.exitCode
        case let error as RemoteDirectoryError:
            envelope = ErrorEnvelope(code: error.code, message: error.message)
            status = error.exitCode
        case let failure as EnrollmentFailure:
            var body = ErrorEnvelope(code: failure.code, message: failure.message(catalog))
            body.error.rollback = failure.rollbackName
            if case .key(.pinInvalid(let left)) = failure.cause { body.error.retriesLeft = left }
            envelope = body
            status = failure.exitCode
        default:
            envelope = ErrorEnvelope(code: "unexpected", message: "\(error)")
            status = 1
        }
        if json {
            try? Output.json(envelope)
        } else {
            note("keybridge: \(envelope.error.message)")
        }
        return status
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
        /// The specifics of a directory refusal.
        var detail: String?
        /// For enrollments: what was undone (nothingCreated, nothingStoredOnKey, credentialDeleted, credentialLeftOnKey).
        var rollback: String?
    }
    var error: Body

    init(code: String, message: String, detail: String? = nil) {
        error = Body(code: code, message: message, detail: detail)
    }

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
