import Foundation

/// The outcome of asking for the user's touch.
enum PresenceOutcome {
    case approved
    case denied
    case timedOut
    case cancelled
}

/// Waits for user presence according to the configured mode, delivers touches from outside,
/// and reports how long was spent waiting (so statistics can leave it out).
final class PresenceGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var mode: PresenceMode
    private var pendingTouch = false
    private(set) var waiting = false

    init(mode: PresenceMode) {
        self.mode = mode
    }

    var currentMode: PresenceMode {
        get { condition.withLock { mode } }
        set { condition.withLock { mode = newValue } }
    }

    /// Delivers a touch: wakes a waiting request, or is kept for the next one.
    func touch() {
        condition.withLock {
            pendingTouch = true
            condition.broadcast()
        }
    }

    /// Whether a request is waiting for a touch now.
    var isWaiting: Bool { condition.withLock { waiting } }

    /// Asks for presence; `isCancelled` is polled so a CTAPHID CANCEL ends the wait.
    func requestPresence(timeout: TimeInterval, isCancelled: () -> Bool) -> PresenceOutcome {
        switch currentMode {
        case .approve:
            return .approved
        case .deny:
            return .denied
        case .delay(let milliseconds):
            let end = Date().addingTimeInterval(Double(milliseconds) / 1000)
            while Date() < end {
                if isCancelled() { return .cancelled }
                Thread.sleep(forTimeInterval: min(0.02, max(0, end.timeIntervalSinceNow)))
            }
            return .approved
        case .wait:
            let deadline = Date().addingTimeInterval(timeout)
            condition.lock()
            waiting = true
            defer {
                waiting = false
                condition.unlock()
            }
            while !pendingTouch {
                if isCancelled() { return .cancelled }
                if Date() >= deadline { return .timedOut }
                if case .wait = mode {} else {
                    return mode == .deny ? .denied : .approved
                }
                _ = condition.wait(until: min(deadline, Date().addingTimeInterval(0.02)))
            }
            pendingTouch = false
            return .approved
        }
    }

    /// A non-blocking check for U2F, which polls: true if presence is available now.
    func presenceAvailableNow() -> Bool {
        condition.withLock {
            switch mode {
            case .approve, .delay: return true
            case .deny: return false
            case .wait:
                guard pendingTouch else { return false }
                pendingTouch = false
                return true
            }
        }
    }
}
