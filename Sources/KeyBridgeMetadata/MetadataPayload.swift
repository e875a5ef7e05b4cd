import Foundation

/// The decoded payload of an MDS3 BLOB (`MetadataBLOBPayload`).
public struct MetadataPayload: Sendable {
    /// The BLOB's `legalHeader`, when present.
    public var legalHeader: String?
    /// The BLOB's serial number (`no`); a newer BLOB has a higher one.
    public var serial: Int
    /// 00:00:00 UTC of the `nextUpdate` day, by which a newer BLOB is published.
    public var nextUpdate: Date
    /// The entries, in the order given.
    public var entries: [MetadataEntry]

    /// A payload from its parts.
    public init(legalHeader: String?, serial: Int, nextUpdate: Date, entries: [MetadataEntry]) {
        self.legalHeader = legalHeader
        self.serial = serial
        self.nextUpdate = nextUpdate
        self.entries = entries
    }

    /// Decodes an MDS3 payload (JSON with `legalHeader`, `no`, `nextUpdate`, `entries`). Unknown members are ignored.
    ///
    /// - Throws: ``MetadataError/malformed(_:)`` when the data is not a JSON object, `no`, `nextUpdate` or `entries`
    ///   is missing or of the wrong type, or an entry is malformed (the message names the entry's index).
    public static func decode(_ json: Data) throws(MetadataError) -> MetadataPayload {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: json)
        } catch {
            throw .malformed("the payload is not JSON")
        }
        guard let object = root as? [String: Any] else { throw .malformed("the payload is not a JSON object") }
        guard let serial = object["no"] as? Int else {
            throw .malformed("the payload has no integer \"no\"")
        }
        guard let nextUpdateText = object["nextUpdate"] as? String else {
            throw .malformed("the payload has no \"nextUpdate\"")
        }
        guard let nextUpdate = MetadataDay.date(from: nextUpdateText) else {
            throw .malformed("nextUpdate \"\(nextUpdateText)\" is not a YYYY-MM-DD day")
        }
        guard let rawEntries = object["entries"] as? [Any] else {
            throw .malformed("the payload has no \"entries\" array")
        }
        let slices = EntrySlices.ranges(in: json).flatMap { $0.count == rawEntries.count ? $0 : nil }
        var entries: [MetadataEntry] = []
        entries.reserveCapacity(rawEntries.count)
        for (index, rawEntry) in rawEntries.enumerated() {
            let original = slices.map { ranges in
                Data(json[(json.startIndex + ranges[index].lowerBound)..<(json.startIndex + ranges[index].upperBound)])
            }
            entries.append(try MetadataEntryDecoder.decode(rawEntry, index: index, original: original))
        }
        let legalHeader = object["legalHeader"] as? String
        return MetadataPayload(legalHeader: legalHeader, serial: serial, nextUpdate: nextUpdate, entries: entries)
    }
}
