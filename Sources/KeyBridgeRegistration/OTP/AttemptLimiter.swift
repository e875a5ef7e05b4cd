import Foundation

/// Limits wrong one-time codes per key: at most `maximum` failures in `window` seconds. The
/// failures live in the store, so the limit holds across processes (each CLI run is one).
struct AttemptLimiter: Sendable {
    let store: any RegistrationStore
    var maximum = 5
    var window: TimeInterval = 300
    /// What the refusal says was wrong too often.
    var what = "wrong codes"

    /// Throws when `key` has used up its attempts.
    func check(_ key: String) async throws(RegistrationError) {
        if try await store.failedAttempts(key: key, since: Date().addingTimeInterval(-window)) >= maximum {
            throw .mfaProofRejected("too many \(what); wait \(Int(window / 60)) minutes and try again")
        }
    }

    func recordFailure(_ key: String) async throws(RegistrationError) {
        try await store.recordFailedAttempt(key: key, time: Date())
    }

    func reset(_ key: String) async throws(RegistrationError) { try await store.clearFailedAttempts(key: key) }
}
