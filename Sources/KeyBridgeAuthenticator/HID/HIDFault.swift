/// Misbehaviour the virtual key can be told to show on its next CTAPHID response, for testing
/// that clients end in a typed error instead of crashing or hanging.
public enum HIDFault: String, Codable, Sendable, CaseIterable {
    case none
    /// 64 random bytes instead of the reply.
    case garbage
    /// The reply on another channel id.
    case wrongChannel
    /// The CBOR reply cut short.
    case truncatedCBOR
    /// The CBOR reply as an indefinite-length map (not canonical CTAP2 CBOR).
    case nonCanonicalCBOR
    /// The first packet of the reply, then the connection closes.
    case closeMidMessage
}
