import Foundation

/// Limits attempts per key (wrong one-time codes, failed sign-ins): at most `maximum` in
/// `window` seconds. The attempts live in the store, so the limit holds across processes and
/// servers (each CLI run is one process).
///
/// An attempt is **claimed before it is checked**: the claim is written first and the attempts
/// counted after, so racers cannot all pass a check made before any of them is recorded. Of any
/// number of concurrent attempts, at most `maximum` (those whose claims landed first) go on to be
/// checked. A right answer clears the key's attempts.
struct AttemptLimiter: Sendable {
    let store: any RegistrationStore
    var maximum = 5
    var window: TimeInterval = 300
    /// What the refusal says was wrong too often.
    var what = "wrong codes"

    /// Records one attempt for `key`, then throws when it is over the limit.
    func claim(_ key: String, now: Date = Date()) async throws(RegistrationError) {
        try await store.recordFailedAttempt(key: key, time: now)
        if try await store.failedAttempts(key: key, since: now.addingTimeInterval(-window)) > maximum {
            throw .mfaProofRejected("too many \(what); wait \(Int(window / 60)) minutes and try again")
        }
    }

    /// The attempt was right: the key's attempts are cleared.
    func reset(_ key: String) async throws(RegistrationError) { try await store.clearFailedAttempts(key: key) }
}
