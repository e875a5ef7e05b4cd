import Foundation

/// One audited action: who did what, where, in which mode, and whether it worked.
public struct AuditEvent: Codable, Sendable, Hashable {
    public enum Actor: String, Codable, Sendable { case user, admin }
    public enum Mode: String, Codable, Sendable { case interrupt, manage, admin }
    public enum Outcome: String, Codable, Sendable { case success, failure }

    public var time: Date
    public var tenant: String
    public var upn: String
    public var actor: Actor
    public var mode: Mode
    /// Kiosk id or network address.
    public var client: String
    /// start, register, change, delete, defaultChange, review, …
    public var action: String
    public var outcome: Outcome
    /// The refusal's error code, or a short description.
    public var reason: String?
}
