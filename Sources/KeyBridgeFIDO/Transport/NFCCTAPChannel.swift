import Foundation
import KeyBridgePCSC

/// CTAP over ISO 7816-4 (CTAP 2.1 §11.3): the card side of libfido2's custom transport.
///
/// libfido2 hands over whole CTAP messages (`tx`) and asks for whole replies (`rx`); this type
/// turns them into APDUs: SELECT of the FIDO applet, NFCCTAP_MSG with P1 = 0x80 so the card may
/// answer `91 00` while it waits for presence, NFCCTAP_GETRESPONSE polling every 100 ms, short
/// APDUs with command chaining (or extended APDUs where the card takes them), `61 xx` + GET
/// RESPONSE, cancel through NFCCTAP_GETRESPONSE with P1 = 0x11, and the U2F APDU path.
///
/// `cancel()` may be called from another thread while `receive` polls; the poll loop sends the
/// cancel itself so only one thread ever talks to the card.
final class NFCCTAPChannel: @unchecked Sendable {
    /// The FIDO applet id.
    static let fidoAID: [UInt8] = [0xA0, 0x00, 0x00, 0x06, 0x47, 0x2F, 0x00, 0x01]
    static let pollInterval: UInt32 = 100_000

    private enum Pending {
        case select(ResponseAPDU)
        case reply([UInt8])
        case keepAlive
        case failed
    }

    let card: any APDUTransmitting
    private let stateLock = NSLock()
    private var cancelRequested = false
    private var pending: Pending?
    private var nonce: [UInt8] = []
    private var _lastError: PCSCError?
    private var _keepAliveObserver: (@Sendable (UInt8) -> Void)?
    /// Whether the card accepted an extended APDU; nil until tried.
    private var extendedLength: Bool?

    init(card: any APDUTransmitting) {
        self.card = card
    }

    /// The PC/SC error behind the last failed exchange, for a typed message.
    var lastError: PCSCError? { stateLock.withLock { _lastError } }

    /// Called with the keep-alive status (1 processing, 2 waiting for a touch).
    var keepAliveObserver: (@Sendable (UInt8) -> Void)? {
        get { stateLock.withLock { _keepAliveObserver } }
        set { stateLock.withLock { _keepAliveObserver = newValue } }
    }

    /// Asks the card to abandon the pending request (libfido2's CTAPHID CANCEL).
    func cancel() { stateLock.withLock { cancelRequested = true } }

    // MARK: libfido2 transport entry points

    /// `tx`: starts an exchange. Returns false when the card could not be reached.
    func send(command: UInt8, payload: [UInt8]) -> Bool {
        switch command {
        case 0x06:  // CTAPHID INIT: keep the nonce, select the applet.
            nonce = payload
            stateLock.withLock { cancelRequested = false }
            return record {
                let reply = try exchange(CommandAPDU(cla: 0x00, ins: 0xA4, p1: 0x04, p2: 0x00, data: Self.fidoAID))
                pending = .select(reply)
            }
        case 0x10:  // CBOR
            stateLock.withLock { cancelRequested = false }
            return record {
                let reply = try exchange(CommandAPDU(cla: 0x80, ins: 0x10, p1: 0x80, p2: 0x00, data: payload))
                try accept(reply)
            }
        case 0x03:  // MSG: a U2F APDU that libfido2 built in extended form.
            return record {
                guard let apdu = CommandAPDU(encoded: payload) else { throw PCSCError.communication("malformed U2F APDU") }
                pending = .reply(try exchange(apdu).bytes)
            }
        case 0x11:  // CANCEL
            cancel()
            return true
        default:
            return false
        }
    }

    /// `rx`: copies the reply into `buffer`; returns its length, or -1 on failure or timeout.
    /// A timeout leaves a pending keep-alive in place so a later call can go on waiting.
    func receive(command: UInt8, into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int32) -> Int {
        let deadline = timeoutMilliseconds < 0
            ? nil : DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMilliseconds) * 1_000_000
        while true {
            switch pending {
            case .select(let reply)?:
                pending = nil
                guard command == 0x06, reply.statusWord == 0x9000 else { return -1 }
                return initReply(selectData: reply.data, into: buffer)
            case .reply(let bytes)?:
                pending = nil
                guard bytes.count <= buffer.count else { return -1 }
                buffer.copyBytes(from: bytes)
                return bytes.count
            case .failed?, nil:
                pending = nil
                return -1
            case .keepAlive?:
                if let deadline, DispatchTime.now().uptimeNanoseconds >= deadline { return -1 }
                usleep(Self.pollInterval)
                let cancelling = stateLock.withLock { cancelRequested }
                let poll = CommandAPDU(cla: 0x80, ins: 0x11, p1: cancelling ? 0x11 : 0x00, p2: 0x00)
                if !record({ try accept(try exchange(poll)) }) { pending = .failed }
            }
        }
    }

    // MARK: APDU exchange

    private func accept(_ reply: ResponseAPDU) throws {
        switch reply.statusWord {
        case 0x9000:
            pending = .reply(reply.data)
        case 0x9100:
            pending = .keepAlive
            if let status = reply.data.first { keepAliveObserver?(status) }
        default:
            throw PCSCError.communication(String(format: "the card answered status %04X", reply.statusWord))
        }
    }

    /// Sends `apdu` (extended, or short with chaining) and collects `61 xx` continuations.
    private func exchange(_ apdu: CommandAPDU) throws(PCSCError) -> ResponseAPDU {
        var reply: ResponseAPDU
        if apdu.data.count > 255 && extendedLength != false {
            reply = try transmit(apdu.extendedEncoding)
            if extendedLength == nil {
                extendedLength = reply.statusWord != 0x6700 && reply.sw1 != 0x6E && reply.sw1 != 0x6D
            }
            if extendedLength == false { reply = try sendChained(apdu) }
        } else {
            reply = try sendChained(apdu)
        }
        var data = reply.data
        var getResponseCLA: UInt8 = 0x00
        while reply.sw1 == 0x61 {
            reply = try transmit([getResponseCLA, 0xC0, 0x00, 0x00, reply.sw2])
            if reply.statusWord == 0x6E00 && getResponseCLA == 0x00 {
                getResponseCLA = 0x80
                reply = ResponseAPDU(data: [], sw1: 0x61, sw2: 0x00)
                continue
            }
            data += reply.data
        }
        return ResponseAPDU(data: data, sw1: reply.sw1, sw2: reply.sw2)
    }

    private func sendChained(_ apdu: CommandAPDU) throws(PCSCError) -> ResponseAPDU {
        let pieces = apdu.chainedShortEncodings()
        for piece in pieces.dropLast() {
            let reply = try transmit(piece)
            guard reply.statusWord == 0x9000 else { return reply }
        }
        return try transmit(pieces.last!)
    }

    private func transmit(_ bytes: [UInt8]) throws(PCSCError) -> ResponseAPDU {
        let raw = try card.transmit(bytes)
        guard let reply = ResponseAPDU(raw) else { throw .communication("a response shorter than a status word") }
        return reply
    }

    /// Runs `body`, remembering a PC/SC error; returns false on failure.
    private func record(_ body: () throws -> Void) -> Bool {
        do {
            try body()
            stateLock.withLock { _lastError = nil }
            return true
        } catch {
            stateLock.withLock { _lastError = (error as? PCSCError) ?? .communication("\(error)") }
            pending = .failed
            return false
        }
    }

    /// The 17-byte CTAPHID INIT reply libfido2 expects, built from the SELECT answer.
    private func initReply(selectData: [UInt8], into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let version = String(decoding: selectData, as: UTF8.self)
        let flags: UInt8
        switch version {
        case "FIDO_2_0": flags = 0x0C  // CBOR, no U2F MSG
        case "U2F_V2": flags = 0x04  // CBOR attempted, U2F fallback
        default: return -1
        }
        guard buffer.count >= 17, nonce.count == 8 else { return -1 }
        let reply = nonce + [0, 0, 0, 0, 2, 0, 0, 0, flags]
        buffer.copyBytes(from: reply)
        return reply.count
    }
}
