import Foundation

/// Turns one element of the payload's `entries` array into a ``MetadataEntry``.
enum MetadataEntryDecoder {
    /// Decodes the parsed entry `raw`; `original` is its JSON text as published, when known (else it is re-serialised).
    static func decode(_ raw: Any, index: Int, original: Data?) throws(MetadataError) -> MetadataEntry {
        guard let object = raw as? [String: Any] else { throw .malformed("entry \(index) is not a JSON object") }
        let statement = object["metadataStatement"] as? [String: Any]
        let aaguid = try aaguid(object["aaguid"] ?? statement?["aaguid"], index: index)
        let roots = try rootCertificates(statement?["attestationRootCertificates"], index: index)
        let reports = try statusReports(object["statusReports"], index: index)
        let json: Data
        if let original {
            json = original
        } else {
            do {
                json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            } catch {
                throw .malformed("entry \(index) cannot be serialised as JSON")
            }
        }
        return MetadataEntry(
            aaguid: aaguid, description: statement?["description"] as? String,
            attestationRootCertificates: roots, statusReports: reports, json: json)
    }

    /// The AAGUID in lower-case `8-4-4-4-12` form; nil when absent.
    private static func aaguid(_ raw: Any?, index: Int) throws(MetadataError) -> String? {
        guard let raw else { return nil }
        guard let text = raw as? String else { throw .malformed("entry \(index) has a non-string aaguid") }
        let lower = text.lowercased()
        let groups = lower.split(separator: "-", omittingEmptySubsequences: false)
        let shapeIsCanonical =
            groups.map(\.count) == [8, 4, 4, 4, 12]
            && groups.allSatisfy { $0.allSatisfy { $0.isHexDigit && $0.isASCII } }
        guard shapeIsCanonical else { throw .malformed("entry \(index) has aaguid \"\(text)\", not 8-4-4-4-12 hex") }
        return lower
    }

    private static func rootCertificates(_ raw: Any?, index: Int) throws(MetadataError) -> [[UInt8]] {
        guard let raw else { return [] }
        guard let texts = raw as? [Any] else {
            throw .malformed("entry \(index) has attestationRootCertificates that is not an array")
        }
        var certificates: [[UInt8]] = []
        certificates.reserveCapacity(texts.count)
        for (position, value) in texts.enumerated() {
            guard let text = value as? String, let der = Base64Decoding.standard(text) else {
                throw .malformed("entry \(index) attestation root \(position) is not standard base64")
            }
            certificates.append(der)
        }
        return certificates
    }

    private static func statusReports(_ raw: Any?, index: Int) throws(MetadataError) -> [MetadataStatusReport] {
        guard let raw else { return [] }
        guard let items = raw as? [Any] else { throw .malformed("entry \(index) has statusReports that is not an array") }
        var reports: [MetadataStatusReport] = []
        reports.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            guard let report = item as? [String: Any], let status = report["status"] as? String else {
                throw .malformed("entry \(index) status report \(position) has no status")
            }
            var effectiveDate: Date?
            if let dateValue = report["effectiveDate"] {
                guard let text = dateValue as? String, let day = MetadataDay.date(from: text) else {
                    throw .malformed("entry \(index) status report \(position) has an effectiveDate that is not YYYY-MM-DD")
                }
                effectiveDate = day
            }
            reports.append(MetadataStatusReport(status: status, effectiveDate: effectiveDate))
        }
        return reports
    }
}
