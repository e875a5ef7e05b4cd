import Foundation

/// A thread per open key that runs deadline actions: cancelling the key just before an
/// operation's timeout, and showing the touch prompt on keys whose keep-alives libfido2 hides.
///
/// Cheaper per operation than a Dispatch timer: arming is a lock and (when it is the earliest
/// deadline) one signal; disarming is a lock.
final class Watchdog: @unchecked Sendable {
    private struct Entry {
        let id: Int
        let deadline: UInt64
        let action: @Sendable () -> Void
    }

    private let condition = NSCondition()
    private var entries: [Entry] = []
    private var nextID = 0
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Runs `action` after `milliseconds` unless cancelled first; returns a handle for ``cancel(_:)``.
    func schedule(afterMilliseconds milliseconds: Int, _ action: @escaping @Sendable () -> Void) -> Int {
        condition.withLock {
            nextID += 1
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, milliseconds)) * 1_000_000
            let earliest = entries.map(\.deadline).min() ?? .max
            entries.append(Entry(id: nextID, deadline: deadline, action: action))
            if deadline < earliest { condition.signal() }
            return nextID
        }
    }

    /// Forgets a scheduled action (a no-op if it already ran).
    func cancel(_ id: Int) {
        condition.withLock { entries.removeAll { $0.id == id } }
    }

    /// Ends the thread.
    func stop() {
        condition.withLock {
            stopping = true
            condition.signal()
        }
    }

    private func run() {
        condition.lock()
        while !stopping {
            guard let earliest = entries.min(by: { $0.deadline < $1.deadline }) else {
                condition.wait()
                continue
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= earliest.deadline {
                entries.removeAll { $0.id == earliest.id }
                condition.unlock()
                earliest.action()
                condition.lock()
            } else {
                _ = condition.wait(until: Date().addingTimeInterval(Double(earliest.deadline - now) / 1e9))
            }
        }
        condition.unlock()
    }
}
