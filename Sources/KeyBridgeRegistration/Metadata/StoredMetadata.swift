import Foundation

/// The FIDO metadata (MDS3) held in the directory: which list it is and how it came in.
public struct MetadataSummary: Codable, Sendable, Equatable {
    /// The list's serial number (`no`); an older one never replaces a newer one.
    public var serial: Int
    /// When the list says a newer one is due (`nextUpdate`).
    public var nextUpdate: Date
    /// Whether it came as a BLOB whose signature and chain were verified (false: `--unsigned`).
    public var signed: Bool
    /// How many entries with an AAGUID it holds.
    public var entries: Int
    /// When it was imported.
    public var imported: Date
    public var legalHeader: String?

    /// Whether the list is past its next update at `now`: `nextUpdate` is a day, valid through
    /// the whole of it (UTC), as a signed BLOB's is on import.
    public func isOverdue(at now: Date = Date()) -> Bool { nextUpdate.addingTimeInterval(86_400) < now }

    public init(serial: Int, nextUpdate: Date, signed: Bool, entries: Int, imported: Date, legalHeader: String?) {
        self.serial = serial
        self.nextUpdate = nextUpdate
        self.signed = signed
        self.entries = entries
        self.imported = imported
        self.legalHeader = legalHeader
    }
}

/// One authenticator model's metadata entry as stored: looked up by AAGUID.
public struct StoredMetadataEntry: Sendable, Equatable {
    /// Lower-case 8-4-4-4-12.
    public var aaguid: String
    /// The metadata statement's description (the model's name).
    public var description: String?
    /// The highest certification status (`FIDO_CERTIFIED_L2`, …), nil when none.
    public var certificationLevel: String?
    /// The latest status report's status.
    public var latestStatus: String?
    /// The entry's JSON as the list carried it.
    public var json: Data

    public init(aaguid: String, description: String?, certificationLevel: String?, latestStatus: String?, json: Data) {
        self.aaguid = aaguid
        self.description = description
        self.certificationLevel = certificationLevel
        self.latestStatus = latestStatus
        self.json = json
    }
}
