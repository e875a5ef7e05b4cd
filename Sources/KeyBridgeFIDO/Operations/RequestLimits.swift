/// The bounds CTAP 2.1 and WebAuthn set on what a client sends a key, checked before anything is
/// sent: an id past them is refused with a message naming the field and its bound, instead of
/// reaching the key and coming back as a CTAP status or a lost connection; a name is truncated to
/// what keys keep, at a character boundary, as WebAuthn clients do (§6.4.1).
public enum RequestLimits {
    /// A relying party id is a domain name: at most 253 characters (RFC 1035).
    public static let relyingPartyID = 253
    /// Names (relying party, user, display): keys keep at most 64 bytes (CTAP 2.1 §6.1.2).
    public static let name = 64
    /// A credential id is at most 1023 bytes (WebAuthn §5.8.3).
    public static let credentialID = 1023

    static func check(relyingPartyID id: String) throws(KeyBridgeError) {
        guard !id.isEmpty else { throw .invalidArgument("the relying party id is empty") }
        guard id.count <= relyingPartyID, id.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
            throw .invalidArgument(
                "the relying party id must be a domain name of at most \(relyingPartyID) characters (got \(id.utf8.count) bytes)")
        }
    }

    /// `text` cut to at most ``name`` bytes of UTF-8 without splitting a character.
    public static func truncated(_ text: String) -> String {
        guard text.utf8.count > name else { return text }
        var result = ""
        for character in text {
            guard result.utf8.count + character.utf8.count <= name else { break }
            result.append(character)
        }
        return result
    }

    static func check(credentialIDs ids: [[UInt8]], list: String) throws(KeyBridgeError) {
        if let long = ids.first(where: { $0.isEmpty || $0.count > credentialID }) {
            throw .invalidArgument("a credential id in the \(list) is \(long.count) bytes; WebAuthn allows 1 to \(credentialID)")
        }
    }
}
