import Foundation

/// Checks one-time codes against a secret with a look-around window, and tracks drift so a
/// token whose clock runs off is still accepted (and a used code is never accepted twice).
public struct OTPVerifier: Sendable {
    /// The result of a successful check.
    public struct Match: Sendable, Equatable {
        /// The counter (HOTP) or time step (TOTP) the code belongs to.
        public var counter: UInt64
        /// How many steps away from the expected one the code was.
        public var drift: Int64
    }

    public var algorithm: OTPAlgorithm
    public var digits: Int
    /// Steps accepted on either side of the expected one (TOTP), or ahead of it (HOTP).
    public var window: Int

    public init(algorithm: OTPAlgorithm = .sha1, digits: Int = 6, window: Int = 1) {
        self.algorithm = algorithm
        self.digits = digits
        self.window = window
    }

    /// Checks a TOTP `code` at `time`. `lastUsedStep` prevents replay; `drift` is the token's
    /// known offset in steps (from earlier matches).
    public func verifyTOTP(
        _ code: String, secret: [UInt8], time: Date, period: Int = 30, drift: Int64 = 0, lastUsedStep: UInt64? = nil
    ) -> Match? {
        let expected = Int64(OTPGenerator.timeStep(time, period: period)) + drift
        for offset in candidateOffsets() {
            let step = expected + Int64(offset)
            guard step >= 0 else { continue }
            if let lastUsedStep, UInt64(step) <= lastUsedStep { continue }
            if constantTimeEquals(OTPGenerator.hotp(secret: secret, counter: UInt64(step), digits: digits, algorithm: algorithm), code) {
                return Match(counter: UInt64(step), drift: step - Int64(OTPGenerator.timeStep(time, period: period)))
            }
        }
        return nil
    }

    /// Checks an HOTP `code` against counters `nextCounter ..< nextCounter + window + 1`.
    public func verifyHOTP(_ code: String, secret: [UInt8], nextCounter: UInt64) -> Match? {
        for ahead in 0...max(0, window) {
            let counter = nextCounter + UInt64(ahead)
            if constantTimeEquals(OTPGenerator.hotp(secret: secret, counter: counter, digits: digits, algorithm: algorithm), code) {
                return Match(counter: counter, drift: Int64(ahead))
            }
        }
        return nil
    }

    /// 0, -1, +1, -2, +2, … so the nearest step wins.
    private func candidateOffsets() -> [Int] {
        [0] + (1...max(1, window)).flatMap { [-$0, $0] }.filter { abs($0) <= window }
    }

    private func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
