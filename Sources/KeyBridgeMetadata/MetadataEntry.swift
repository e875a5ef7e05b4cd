import Foundation

/// One entry of an MDS3 payload: an authenticator model, its attestation roots and its status history.
public struct MetadataEntry: Sendable, Equatable {
    /// The FIDO2 AAGUID, lower-case `8-4-4-4-12`; nil for U2F and UAF entries, which have none.
    public var aaguid: String?
    /// `metadataStatement.description`, the model's name.
    public var description: String?
    /// DER certificates from `metadataStatement.attestationRootCertificates`, in the order given.
    public var attestationRootCertificates: [[UInt8]]
    /// The entry's `statusReports`, in the order given (MDS lists newest first).
    public var statusReports: [MetadataStatusReport]
    /// This entry's JSON object exactly as it appeared in the payload's `entries` array (re-serialised with sorted
    /// keys only in the unlikely case the payload's text could not be sliced).
    public var json: Data

    /// An entry from its parts.
    public init(
        aaguid: String?, description: String?, attestationRootCertificates: [[UInt8]],
        statusReports: [MetadataStatusReport], json: Data
    ) {
        self.aaguid = aaguid
        self.description = description
        self.attestationRootCertificates = attestationRootCertificates
        self.statusReports = statusReports
        self.json = json
    }

    /// The latest status report by `effectiveDate`.
    ///
    /// Reports without a date rank below every dated one. Among reports with the same (latest) date, the one listed
    /// first wins, because MDS lists status reports newest first. Nil when there are no reports.
    public var latestStatus: MetadataStatusReport? {
        var latest: MetadataStatusReport?
        for report in statusReports {
            guard let current = latest else {
                latest = report
                continue
            }
            if let date = report.effectiveDate, date > (current.effectiveDate ?? .distantPast) {
                latest = report
            }
        }
        return latest
    }

    /// The highest certification level among all status reports that name one (see ``CertificationLevel``), nil when
    /// none does. ``CertificationLevel/notCertified`` comes back only when no report names a certification.
    ///
    /// This is the highest level ever granted; check ``compromise`` separately for revocation.
    public var certificationLevel: CertificationLevel? {
        statusReports.compactMap { CertificationLevel(status: $0.status) }.max()
    }

    /// The latest status (see ``latestStatus``) when it is one of
    /// ``MetadataStatusReport/compromiseStatuses``, else nil.
    public var compromise: String? {
        guard let status = latestStatus?.status, MetadataStatusReport.compromiseStatuses.contains(status) else {
            return nil
        }
        return status
    }
}
