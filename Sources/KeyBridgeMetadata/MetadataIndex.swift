/// Looks entries up by AAGUID.
public struct MetadataIndex: Sendable {
    private let byAAGUID: [String: MetadataEntry]

    /// Indexes the payload's entries that have an AAGUID. When two entries share one, the first in payload order wins.
    public init(_ payload: MetadataPayload) {
        var table: [String: MetadataEntry] = [:]
        table.reserveCapacity(payload.entries.count)
        for entry in payload.entries {
            guard let aaguid = entry.aaguid, table[aaguid] == nil else { continue }
            table[aaguid] = entry
        }
        byAAGUID = table
    }

    /// The entry for an AAGUID in `8-4-4-4-12` form; letter case does not matter, dashes do.
    public func entry(aaguid: String) -> MetadataEntry? {
        byAAGUID[aaguid.lowercased()]
    }

    /// The number of distinct AAGUIDs indexed.
    public var count: Int { byAAGUID.count }
}
