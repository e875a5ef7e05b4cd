import Crypto
import KeyBridgePCSC

/// The UID of the virtual contactless card, and its answer to the PC/SC part 3 GET DATA
/// pseudo-APDU (`FF CA 00 00 Le`), which a real reader answers itself and vpcd passes on to
/// the card.
public enum CardUID {
    /// A stable 7-byte (ISO 14443 double-size) UID for the card with `serial`: the first seven
    /// bytes of SHA-256 over a fixed label and the serial. The first byte is never the cascade
    /// tag 0x88.
    public static func derived(fromSerial serial: String) -> [UInt8] {
        var uid = Array(SHA256.hash(data: Array("keybridge card UID\u{0}\(serial)".utf8)).prefix(7))
        if uid[0] == 0x88 { uid[0] = 0x08 }
        return uid
    }

    /// Whether `apdu` is PC/SC GET DATA (CLA FF, INS CA).
    static func isGetData(_ apdu: CommandAPDU) -> Bool { apdu.cla == 0xFF && apdu.ins == 0xCA }

    /// GET DATA for `uid`: P1 00 gives the UID (Le 00 or absent: all of it; a shorter Le:
    /// `6C xx`; a longer one: the UID with `62 82`). P1 01 (historical bytes) is not
    /// supported (`6A 81`); other P1/P2 give `6B 00`.
    static func getData(_ apdu: CommandAPDU, raw: [UInt8], uid: [UInt8]?) -> ResponseAPDU {
        guard apdu.p2 == 0x00, apdu.p1 <= 0x01 else { return .status(0x6B00) }
        guard apdu.p1 == 0x00, let uid else { return .status(0x6A81) }
        let le = raw.count == 5 ? Int(raw[4]) : 0
        if le == 0 || le == uid.count { return ResponseAPDU(data: uid, sw1: 0x90, sw2: 0x00) }
        if le < uid.count { return .status(0x6C00 | UInt16(uid.count)) }
        return ResponseAPDU(data: uid, sw1: 0x62, sw2: 0x82)
    }
}
