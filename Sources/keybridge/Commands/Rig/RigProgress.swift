import Foundation
import KeyBridgeRig

/// Progress on stderr while a rig run goes: results so far, at most once a second, on a terminal.
final class RigProgress: @unchecked Sendable {
    private let keys: Int
    private let lock = NSLock()
    private var lastShown = Date.distantPast
    private let onTerminal = isatty(STDERR_FILENO) == 1

    init(keys: Int) {
        self.keys = keys
    }

    func show(_ report: RigReport) {
        guard onTerminal else { return }
        lock.withLock {
            guard Date().timeIntervalSince(lastShown) >= 1 else { return }
            lastShown = Date()
            let c = report.counts
            let done = report.keys.filter(\.finished).count
            FileHandle.standardError.write(Data("\r\(done)/\(keys) keys done · \(c.total) results: \(c.passed) passed, \(c.failed) failed, \(c.error) errors, \(c.skipped) skipped   ".utf8))
        }
    }

    func finish() {
        if onTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// On Ctrl-C or SIGTERM: write the reports so far, then exit 130.
final class RigInterrupt: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    init(flush: @escaping @Sendable () -> Void) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                flush()
                FileHandle.standardError.write(Data("\nkeybridge rig: interrupted; the reports hold the results so far\n".utf8))
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }

    func stop() {
        sources.forEach { $0.cancel() }
    }
}
