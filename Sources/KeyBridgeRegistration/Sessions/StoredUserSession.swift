import Foundation

/// A signed-in user's session as the directory keeps it, so any server sharing the directory can
/// serve the next request. Only a salted hash of the session's secret is stored.
public struct StoredUserSession: Codable, Sendable, Hashable {
    /// The public part of the session token (`kbs_<id>_<secret>`).
    public var id: String
    public var upn: String
    public var tenant: String
    public var salt: [UInt8]
    public var hash: [UInt8]
    public var created: Date
    /// The last request served with it (kept to within ``UserSessionPolicy/touchInterval``).
    public var lastSeen: Date
    /// Unused for this long, the session ends.
    public var idleTimeout: TimeInterval
    /// The session ends at this time however active it is.
    public var expires: Date
    /// How MFA was proven at sign-in: `temporaryAccessPass`, `oneTimeCode` or `fido2`.
    public var proof: String
    /// Where the sign-in came from, and the browser's user agent when there was one (for the audit).
    public var clientAddress: String
    public var userAgent: String?

    public init(
        id: String, upn: String, tenant: String, salt: [UInt8], hash: [UInt8], created: Date, lastSeen: Date,
        idleTimeout: TimeInterval, expires: Date, proof: String, clientAddress: String, userAgent: String?
    ) {
        self.id = id
        self.upn = upn
        self.tenant = tenant
        self.salt = salt
        self.hash = hash
        self.created = created
        self.lastSeen = lastSeen
        self.idleTimeout = idleTimeout
        self.expires = expires
        self.proof = proof
        self.clientAddress = clientAddress
        self.userAgent = userAgent
    }

    /// When the session ends if it is not used again: the idle limit or the absolute end, whichever is first.
    public var idleExpires: Date { min(lastSeen.addingTimeInterval(idleTimeout), expires) }

    /// Whether it still admits requests at `now`.
    public func isLive(at now: Date) -> Bool { idleExpires > now }
}

/// How long user sessions last.
public struct UserSessionPolicy: Sendable, Equatable {
    /// Unused for this long, a session ends (15 minutes by default).
    public var idleTimeout: TimeInterval
    /// A session ends this long after sign-in however active it is (8 hours by default).
    public var lifetime: TimeInterval
    /// The last-seen time is written at most this often per session, so reads stay reads.
    public var touchInterval: TimeInterval

    public init(idleTimeout: TimeInterval = 15 * 60, lifetime: TimeInterval = 8 * 3600, touchInterval: TimeInterval = 15) {
        self.idleTimeout = idleTimeout
        self.lifetime = lifetime
        self.touchInterval = touchInterval
    }

    public static let standard = UserSessionPolicy()

    /// Checks the ranges: idle 1 minute to 24 hours, lifetime at least the idle timeout and at most 30 days.
    public func validated() throws(RegistrationError) -> UserSessionPolicy {
        guard (60...86_400).contains(idleTimeout) else { throw .invalidInput("a session's idle timeout must be between 1 minute and 24 hours") }
        guard lifetime >= idleTimeout, lifetime <= 30 * 86_400 else {
            throw .invalidInput("a session's lifetime must be between its idle timeout and 30 days")
        }
        return self
    }
}
