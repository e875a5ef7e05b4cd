import Foundation
import KeyBridgePCSC

/// CTAP over ISO 7816-4 (CTAP 2.1 §11.3) for the rig: SELECT of the FIDO applet, NFCCTAP_MSG with
/// keep-alive polling (`91 00` + NFCCTAP_GETRESPONSE), short APDUs chained or extended APDUs,
/// `61 xx` + GET RESPONSE, and raw APDUs for the transport tests.
public final class ISO7816Connection: @unchecked Sendable {
    /// The FIDO applet id (CTAP 2.1 §11.3.3).
    public static let fidoAID: [UInt8] = [0xA0, 0x00, 0x00, 0x06, 0x47, 0x2F, 0x00, 0x01]

    public let card: PCSCCard
    /// What SELECT answered: `FIDO_2_0` or `U2F_V2`.
    public private(set) var appletVersion = ""
    /// Send requests over 255 bytes as one extended APDU instead of a chain of short ones.
    public var preferExtended = false
    /// Called with each keep-alive status (1 processing, 2 waiting for a touch).
    public var onKeepAlive: (@Sendable (UInt8) -> Void)?

    public init(card: PCSCCard) {
        self.card = card
    }

    /// Selects the FIDO applet.
    public func select() throws(RigError) {
        let reply = try exchange(CommandAPDU(cla: 0x00, ins: 0xA4, p1: 0x04, p2: 0x00, data: Self.fidoAID))
        guard reply.statusWord == 0x9000 else {
            throw .framing(String(format: "SELECT of the FIDO applet answered %04X", reply.statusWord))
        }
        appletVersion = String(decoding: reply.data, as: UTF8.self)
    }

    /// Sends one CTAP2 request (command byte + CBOR) and returns status byte + CBOR.
    public func ctap(_ request: [UInt8], timeout: TimeInterval) throws(RigError) -> [UInt8] {
        var reply = try exchange(CommandAPDU(cla: 0x80, ins: 0x10, p1: 0x80, p2: 0x00, data: request))
        let deadline = Date().addingTimeInterval(timeout)
        while reply.statusWord == 0x9100 {
            onKeepAlive?(reply.data.first ?? 0)
            guard Date() < deadline else {
                _ = try? exchange(CommandAPDU(cla: 0x80, ins: 0x11, p1: 0x11, p2: 0x00))
                throw .timeout(String(format: "the card was still busy after %.1f s", timeout))
            }
            usleep(10_000)
            reply = try exchange(CommandAPDU(cla: 0x80, ins: 0x11, p1: 0x00, p2: 0x00))
        }
        guard reply.statusWord == 0x9000 else {
            throw .framing(String(format: "NFCCTAP_MSG answered %04X", reply.statusWord))
        }
        return reply.data
    }

    /// Sends `apdu` (extended when preferred and long, else short with chaining) and follows
    /// `61 xx` with GET RESPONSE.
    public func exchange(_ apdu: CommandAPDU) throws(RigError) -> ResponseAPDU {
        var reply: ResponseAPDU
        if preferExtended && apdu.data.count > 255 {
            reply = try transmit(apdu.extendedEncoding)
        } else {
            let pieces = apdu.chainedShortEncodings()
            reply = ResponseAPDU(data: [], sw1: 0x90, sw2: 0x00)
            for piece in pieces {
                reply = try transmit(piece)
                if piece.first! & 0x10 != 0 && reply.statusWord != 0x9000 { return reply }
            }
        }
        var data = reply.data
        while reply.sw1 == 0x61 {
            reply = try transmit([0x00, 0xC0, 0x00, 0x00, reply.sw2])
            data += reply.data
        }
        return ResponseAPDU(data: data, sw1: reply.sw1, sw2: reply.sw2)
    }

    /// Sends raw APDU bytes and parses the reply, nothing more.
    public func transmit(_ bytes: [UInt8]) throws(RigError) -> ResponseAPDU {
        let raw: [UInt8]
        do {
            raw = try card.transmit(bytes)
        } catch {
            throw .unreachable(error.description)
        }
        guard let reply = ResponseAPDU(raw) else { throw .framing("a response shorter than a status word") }
        return reply
    }
}
