import Foundation

/// HOTP (RFC 4226) and TOTP (RFC 6238) code generation.
public enum OTPGenerator {
    /// The HOTP value for `counter`, `digits` long (6–8), with left zero padding.
    public static func hotp(secret: [UInt8], counter: UInt64, digits: Int = 6, algorithm: OTPAlgorithm = .sha1) -> String {
        let message = (0..<8).reversed().map { UInt8(truncatingIfNeeded: counter >> (UInt64($0) * 8)) }
        return truncate(algorithm.hmac(key: secret, message: message), digits: digits)
    }

    /// The TOTP value at `time` for a `period`-second step.
    public static func totp(
        secret: [UInt8], time: Date, period: Int = 30, digits: Int = 6, algorithm: OTPAlgorithm = .sha1
    ) -> String {
        hotp(secret: secret, counter: timeStep(time, period: period), digits: digits, algorithm: algorithm)
    }

    /// `floor(unix time / period)`.
    public static func timeStep(_ time: Date, period: Int) -> UInt64 {
        UInt64(max(0, time.timeIntervalSince1970) / Double(period))
    }

    /// RFC 4226 §5.3 dynamic truncation of a full HMAC.
    public static func truncate(_ hmac: [UInt8], digits: Int) -> String {
        let offset = Int(hmac[hmac.count - 1] & 0x0F)
        let value = UInt32(hmac[offset] & 0x7F) << 24 | UInt32(hmac[offset + 1]) << 16
            | UInt32(hmac[offset + 2]) << 8 | UInt32(hmac[offset + 3])
        return format(value, digits: digits)
    }

    /// The code from a 31-bit truncated value (what a YKOATH card returns).
    public static func format(_ truncated: UInt32, digits: Int) -> String {
        let modulus = (0..<digits).reduce(UInt32(1)) { result, _ in result &* 10 }
        let code = String((truncated & 0x7FFF_FFFF) % modulus)
        return String(repeating: "0", count: max(0, digits - code.count)) + code
    }
}
