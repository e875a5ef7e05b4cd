import Foundation

/// One of an entry's `statusReports`: a status and the day it took effect.
///
/// Codable as MDS writes it: `{"status": "…", "effectiveDate": "YYYY-MM-DD"}`; other members are ignored when
/// decoding and not written when encoding.
public struct MetadataStatusReport: Sendable, Equatable, Codable {
    /// The MDS `AuthenticatorStatus`, e.g. `FIDO_CERTIFIED_L1` or `REVOKED`, exactly as published.
    public var status: String
    /// 00:00:00 UTC of the report's `effectiveDate` day; nil when the report has none.
    public var effectiveDate: Date?

    /// The statuses that mean the authenticator (or its attestation key) must no longer be trusted.
    public static let compromiseStatuses: Set<String> = [
        "REVOKED",
        "USER_VERIFICATION_BYPASS",
        "ATTESTATION_KEY_COMPROMISE",
        "USER_KEY_REMOTE_COMPROMISE",
        "USER_KEY_PHYSICAL_COMPROMISE",
    ]

    /// A report with the given status and effective day (which should be a UTC midnight).
    public init(status: String, effectiveDate: Date? = nil) {
        self.status = status
        self.effectiveDate = effectiveDate
    }

    private enum CodingKeys: String, CodingKey {
        case status, effectiveDate
    }

    /// Decodes `status` and an optional `YYYY-MM-DD` `effectiveDate`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(String.self, forKey: .status)
        if let text = try container.decodeIfPresent(String.self, forKey: .effectiveDate) {
            guard let day = MetadataDay.date(from: text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .effectiveDate, in: container, debugDescription: "effectiveDate \"\(text)\" is not YYYY-MM-DD")
            }
            effectiveDate = day
        } else {
            effectiveDate = nil
        }
    }

    /// Encodes `status` and, when set, `effectiveDate` as the `YYYY-MM-DD` UTC day.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        if let effectiveDate {
            try container.encode(MetadataDay.text(of: effectiveDate), forKey: .effectiveDate)
        }
    }
}
