import Foundation

/// An OATH hardware token in a tenant's inventory (imported by an admin from CSV).
public struct HardwareToken: Codable, Sendable, Hashable {
    public var tenant: String
    public var serial: String
    /// The user the token is assigned to.
    public var upn: String
    public var sealedSecret: [UInt8]
    /// TOTP time step in seconds (30 or 60).
    public var interval: Int
    public var manufacturer: String
    public var model: String
    /// The security-info method once the user activated it; nil while in inventory.
    public var activatedMethodID: String?
}

/// The result of a CSV import: what was imported and, per bad row, why it was not.
public struct TokenImportReport: Sendable, Equatable {
    public struct RowError: Sendable, Equatable {
        public var line: Int
        public var message: String
    }
    public var imported: [String]
    public var errors: [RowError]
}
