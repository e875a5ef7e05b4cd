import Foundation
import KeyBridgeFIDO
import XCTest

/// User presence: denied, never given (timeout cancels on the key), given from outside, and
/// Swift task cancellation reaching the key.
final class PresenceTests: XCTestCase {
    func testPresenceDeniedIsOperationDenied() async throws {
        let vkey = try VirtualKeyProcess(options: ["--presence", "deny"])
        let key = try await vkey.open()
        do {
            _ = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge()))
            XCTFail("a denied touch must fail")
        } catch {
            XCTAssertEqual(error, .operationDenied)
        }
        await key.close()
    }

    func testNoTouchBeforeTheTimeoutCancelsAndReturnsWithinTheTimeout() async throws {
        let vkey = try VirtualKeyProcess(options: ["--presence", "wait"])
        let key = try await vkey.open()
        var request = Fixtures.registration(challenge: Fixtures.challenge())
        request.timeout = .milliseconds(1500)
        let prompted = Flag()
        let start = ContinuousClock.now
        do {
            _ = try await key.makeCredential(request, onTouchNeeded: { prompted.set() })
            XCTFail("nobody touched the key")
        } catch {
            XCTAssertEqual(error, .userActionTimeout)
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertLessThanOrEqual(elapsed, .milliseconds(1500), "must return within the timeout, took \(elapsed)")
        XCTAssertTrue(prompted.value, "the touch prompt must have been shown while the key waited")
        // The key was told to stop: the next operation is served at once.
        try vkey.control(["cmd": "presence", "mode": "approve"])
        _ = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge()))
        await key.close()
    }

    func testTouchDeliveredFromOutsideCompletesTheOperation() async throws {
        let vkey = try VirtualKeyProcess(options: ["--presence", "wait"])
        let key = try await vkey.open()
        let prompted = Flag()
        let toucher = Task.detached {
            try await prompted.wait(timeout: .seconds(15))
            try vkey.control(["cmd": "touch"])
        }
        let registration = try await key.makeCredential(
            Fixtures.registration(challenge: Fixtures.challenge()), onTouchNeeded: { prompted.set() })
        try await toucher.value
        XCTAssertTrue(prompted.value)
        XCTAssertFalse(registration.id.isEmpty)
        await key.close()
    }

    func testTaskCancellationCancelsTheKey() async throws {
        let vkey = try VirtualKeyProcess(options: ["--presence", "wait"])
        let key = try await vkey.open()
        let waiting = Flag()
        let operation = Task {
            try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge()), onTouchNeeded: { waiting.set() })
        }
        // Cancelled while the key waits for the touch.
        try await waiting.wait(timeout: .seconds(10))
        let start = ContinuousClock.now
        operation.cancel()
        do {
            _ = try await operation.value
            XCTFail("a cancelled task must not register")
        } catch {
            XCTAssertEqual(error as? KeyBridgeError, .cancelled)
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
        try vkey.control(["cmd": "presence", "mode": "approve"])
        _ = try await key.info()
        await key.close()
    }
}

/// A thread-safe boolean for callbacks.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var _value = false
    var value: Bool { lock.withLock { _value } }
    func set() { lock.withLock { _value = true } }

    /// Waits until the flag is set; throws after `timeout`.
    func wait(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !value {
            guard ContinuousClock.now < deadline else {
                throw NSError(domain: "Flag", code: 1, userInfo: [NSLocalizedDescriptionKey: "not set within \(timeout)"])
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
