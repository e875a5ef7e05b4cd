import Foundation
import Synchronization

/// Limits wrong one-time codes per user: at most `maximum` failures in `window` seconds.
final class AttemptLimiter: Sendable {
    private let failures = Mutex<[String: [Date]]>([:])
    let maximum: Int
    let window: TimeInterval

    init(maximum: Int = 5, window: TimeInterval = 300) {
        self.maximum = maximum
        self.window = window
    }

    /// Throws when `key` has used up its attempts.
    func check(_ key: String) throws(RegistrationError) {
        let now = Date()
        let recent = failures.withLock { $0[key, default: []].filter { now.timeIntervalSince($0) < window } }
        if recent.count >= maximum {
            throw .mfaProofRejected("too many wrong codes; wait \(Int(window / 60)) minutes and try again")
        }
    }

    func recordFailure(_ key: String) {
        let now = Date()
        failures.withLock { $0[key, default: []] = $0[key, default: []].filter { now.timeIntervalSince($0) < window } + [now] }
    }

    func reset(_ key: String) { failures.withLock { $0[key] = nil } }
}
