/// Why an MDS3 BLOB, payload or entry was refused.
///
/// Each case carries enough detail to tell a person what was wrong; ``description`` turns it into a sentence
/// that also says what to do about it.
public enum MetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input is not what MDS3 publishes: not JSON, a required member (`no`, `nextUpdate`, `entries`) missing
    /// or of the wrong type, a JWT without three base64url parts, bad base64, or a certificate that does not parse.
    case malformed(String)
    /// The BLOB's `x5c` chain does not lead to any of the trust anchors; the string says why.
    case untrustedChain(String)
    /// The BLOB's signature is missing, uses an algorithm this library refuses (including `none`), or does not
    /// verify with the leaf certificate's key.
    case badSignature(String)
    /// The payload's `nextUpdate` day (as published, `YYYY-MM-DD`) has passed: the BLOB is stale.
    case expired(nextUpdate: String)

    /// A sentence for a person, naming what was wrong and what to do.
    public var description: String {
        switch self {
        case .malformed(let detail):
            return "The metadata is malformed (\(detail)); download the BLOB again from the FIDO Metadata Service "
                + "and check that the file is the JWT itself, not an HTML page or a truncated copy."
        case .untrustedChain(let detail):
            return "The metadata BLOB's certificate chain is not trusted (\(detail)); check that the configured "
                + "trust anchor is the FIDO Alliance MDS root and that the system clock is correct."
        case .badSignature(let detail):
            return "The metadata BLOB's signature is not valid (\(detail)); the file may have been altered, "
                + "download it again from the FIDO Metadata Service."
        case .expired(let nextUpdate):
            return "The metadata BLOB is out of date: its nextUpdate was \(nextUpdate); "
                + "download the current BLOB from the FIDO Metadata Service."
        }
    }
}
