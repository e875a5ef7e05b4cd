import KeyBridgePCSC

/// An application on the virtual contactless card, selected by AID.
public protocol CardApplet: AnyObject, Sendable {
    /// The application identifier SELECT names.
    var aid: [UInt8] { get }
    /// Called when SELECT picks this applet; returns the SELECT response (data + SW).
    func select() -> ResponseAPDU
    /// Handles one APDU while selected; returns data + SW.
    func process(_ apdu: CommandAPDU) -> ResponseAPDU
    /// The field was switched off or the card reset: drop session state.
    func deselect()
}

/// Routes APDUs to the applet selected last, as a multi-application card (FIDO + OATH) does,
/// and answers PC/SC GET DATA with the card's UID whichever applet is selected.
public final class CardDispatcher: @unchecked Sendable {
    private let applets: [any CardApplet]
    private var selected: (any CardApplet)?
    private let uid: [UInt8]?

    /// - Parameter uid: The card's UID for GET DATA (`FF CA 00 00 00`); nil answers `6A 81`.
    public init(applets: [any CardApplet], uid: [UInt8]? = nil) {
        self.applets = applets
        self.uid = uid
    }

    /// Handles one raw command APDU and returns the raw response.
    public func handle(_ raw: [UInt8]) -> [UInt8] {
        guard let apdu = CommandAPDU(encoded: raw) else { return [0x67, 0x00] }
        if CardUID.isGetData(apdu) { return CardUID.getData(apdu, raw: raw, uid: uid).bytes }
        if apdu.cla & 0x80 == 0 && apdu.ins == 0xA4 && apdu.p1 == 0x04 {
            guard let applet = applets.first(where: { apdu.data.starts(with: $0.aid) && apdu.data.count <= 16 }) else {
                selected?.deselect()
                selected = nil
                return [0x6A, 0x82]
            }
            if selected !== applet { selected?.deselect() }
            selected = applet
            return applet.select().bytes
        }
        guard let selected else { return [0x69, 0x86] }
        return selected.process(apdu).bytes
    }

    /// Power off / reset: every applet forgets its session.
    public func reset() {
        applets.forEach { $0.deselect() }
        selected = nil
    }
}

extension ResponseAPDU {
    static func status(_ sw: UInt16) -> ResponseAPDU { ResponseAPDU(data: [], sw1: UInt8(sw >> 8), sw2: UInt8(sw & 0xFF)) }
    static let ok = ResponseAPDU.status(0x9000)
}
