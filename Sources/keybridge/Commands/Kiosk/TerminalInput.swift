import Foundation
import Synchronization

/// Why a kiosk prompt returned no answer.
enum PromptInterruption: Error {
    /// Ctrl-C: the current enrollment is cancelled.
    case interrupted
    /// End of input (Ctrl-D, or the terminal went away).
    case endOfInput
}

/// Line input from the kiosk's terminal that Ctrl-C interrupts. Ctrl-C never ends the kiosk: it
/// wakes a waiting prompt and calls `onInterrupt` (which cancels the running enrollment). Reads
/// block on their own thread, never on Swift's cooperative pool.
final class TerminalInput: Sendable {
    private let wake: (read: Int32, write: Int32)
    private let generation = Atomic<Int>(0)
    private let handler = Mutex<(@Sendable () -> Void)?>(nil)
    private let buffer = Mutex<[UInt8]>([])
    /// Made and resumed in init, cancelled in deinit; never touched in between.
    nonisolated(unsafe) private let signalSource: any DispatchSourceSignal

    /// Where the pages are drawn: a secret answer's newline (not echoed) is written there.
    private let screen: FileHandle

    init(screen: FileHandle) {
        self.screen = screen
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        wake = (fds[0], fds[1])
        signal(SIGINT, SIG_IGN)
        signalSource = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        signalSource.setEventHandler { [weak self] in self?.interrupt() }
        signalSource.resume()
    }

    deinit {
        signalSource.cancel()
        close(wake.read)
        close(wake.write)
    }

    private func interrupt() {
        generation.add(1, ordering: .sequentiallyConsistent)
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        handler.withLock { $0 }?()
    }

    /// What Ctrl-C should do besides waking a prompt (cancel the running enrollment).
    func onInterrupt(_ action: (@Sendable () -> Void)?) { handler.withLock { $0 = action } }

    /// Reads one line (without its newline); with `secret` the terminal does not echo it.
    func readLine(secret: Bool = false) async throws(PromptInterruption) -> String {
        let start = generation.load(ordering: .sequentiallyConsistent)
        let result: Result<String, PromptInterruption> = await withCheckedContinuation { continuation in
            let thread = Thread { [self] in continuation.resume(returning: blockingRead(secret: secret, since: start)) }
            thread.name = "keybridge kiosk input"
            thread.start()
        }
        return try result.get()
    }

    private func blockingRead(secret: Bool, since start: Int) -> Result<String, PromptInterruption> {
        let terminal = isatty(STDIN_FILENO) != 0
        var original = termios()
        if secret && terminal {
            tcgetattr(STDIN_FILENO, &original)
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        }
        defer {
            if secret && terminal {
                tcsetattr(STDIN_FILENO, TCSANOW, &original)
                screen.write(Data("\n".utf8))
            }
        }
        while true {
            if let line = takeLine() { return .success(line) }
            if generation.load(ordering: .sequentiallyConsistent) != start { return .failure(.interrupted) }
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, 500) >= 0 || errno == EINTR else { return .failure(.endOfInput) }
            if fds[1].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                _ = read(wake.read, &drain, drain.count)
            }
            if fds[0].revents & Int16(POLLIN | POLLHUP) != 0 {
                var chunk = [UInt8](repeating: 0, count: 1024)
                let count = read(STDIN_FILENO, &chunk, chunk.count)
                if count <= 0 { return takeRest().map { .success($0) } ?? .failure(.endOfInput) }
                buffer.withLock { $0.append(contentsOf: chunk[0..<count]) }
            }
        }
    }

    private func takeLine() -> String? {
        buffer.withLock { bytes in
            guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
            let line = String(decoding: bytes[..<newline], as: UTF8.self)
            bytes.removeSubrange(...newline)
            return line.hasSuffix("\r") ? String(line.dropLast()) : line
        }
    }

    private func takeRest() -> String? {
        buffer.withLock { bytes in
            guard !bytes.isEmpty else { return nil }
            defer { bytes.removeAll() }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
