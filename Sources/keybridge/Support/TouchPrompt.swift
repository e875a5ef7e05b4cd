import Foundation

/// The "touch your security key" prompt on stderr, with a countdown while the key waits.
///
/// On a terminal the line is redrawn every half second; elsewhere it is printed once.
final class TouchPrompt: @unchecked Sendable {
    private let lock = NSLock()
    private var timer: DispatchSourceTimer?
    private var shown = false
    private let deadline: Date
    private let message: String
    private let interactive = isatty(STDERR_FILENO) != 0

    init(message: String = "Touch your security key", timeout: Duration) {
        self.message = message
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        deadline = Date().addingTimeInterval(seconds)
    }

    /// The callback to hand to keybridge operations.
    var callback: @Sendable () -> Void { { [self] in show() } }

    /// Shows the prompt (once) and starts the countdown.
    func show() {
        lock.withLock {
            guard !shown else { return }
            shown = true
            guard interactive else {
                write("\(message)…\n")
                return
            }
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now(), repeating: .milliseconds(500))
            var frame = 0
            let spinner = ["◐", "◓", "◑", "◒"]
            timer.setEventHandler { [self] in
                let left = max(0, Int(deadline.timeIntervalSinceNow.rounded(.up)))
                write("\r\u{1B}[2K\(spinner[frame % 4]) \(message) (\(left)s left)")
                frame += 1
            }
            timer.resume()
            self.timer = timer
        }
    }

    /// Stops the countdown and clears the line.
    func finish() {
        lock.withLock {
            timer?.cancel()
            timer = nil
            if shown && interactive { write("\r\u{1B}[2K") }
        }
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
