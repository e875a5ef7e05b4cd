/// A FIDO certification level, as named by MDS3 status reports, ordered from weakest to strongest.
///
/// The bare `FIDO_CERTIFIED` status names no level (MDS publishes it next to the report that does), so it ranks
/// as ``certified``: above ``notCertified`` and below ``l1``. That way the level-bearing report always wins when an
/// entry has both.
public enum CertificationLevel: Int, Sendable, Comparable, CaseIterable {
    /// `NOT_FIDO_CERTIFIED`.
    case notCertified
    /// `FIDO_CERTIFIED`, with no level given.
    case certified
    /// `FIDO_CERTIFIED_L1`.
    case l1
    /// `FIDO_CERTIFIED_L1plus`.
    case l1plus
    /// `FIDO_CERTIFIED_L2`.
    case l2
    /// `FIDO_CERTIFIED_L2plus`.
    case l2plus
    /// `FIDO_CERTIFIED_L3`.
    case l3
    /// `FIDO_CERTIFIED_L3plus`.
    case l3plus

    /// The level named by an MDS status (`NOT_FIDO_CERTIFIED`, `FIDO_CERTIFIED`, `FIDO_CERTIFIED_L1` …
    /// `FIDO_CERTIFIED_L3plus`); nil for any other status, such as `REVOKED`. The match is exact.
    public init?(status: String) {
        guard let level = Self.allCases.first(where: { $0.status == status }) else { return nil }
        self = level
    }

    /// The MDS status name of this level.
    public var status: String {
        switch self {
        case .notCertified: return "NOT_FIDO_CERTIFIED"
        case .certified: return "FIDO_CERTIFIED"
        case .l1: return "FIDO_CERTIFIED_L1"
        case .l1plus: return "FIDO_CERTIFIED_L1plus"
        case .l2: return "FIDO_CERTIFIED_L2"
        case .l2plus: return "FIDO_CERTIFIED_L2plus"
        case .l3: return "FIDO_CERTIFIED_L3"
        case .l3plus: return "FIDO_CERTIFIED_L3plus"
        }
    }

    /// Orders by strength (``notCertified`` lowest, ``l3plus`` highest).
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
